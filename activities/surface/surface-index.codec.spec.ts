import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { prng, randomInventoryJson } from './fixtures/oracle';
import { parseInventory } from './inventory';
import {
  buildSurfaceIndex,
  deserializeIndex,
  InvalidSurfaceIndex,
  serializeIndex,
  type SurfaceIndex,
} from './surface-index';
import { attackers, mostExposed, reachableFrom, stats } from './surface-queries';

const json = randomInventoryJson(7, { vms: 60, tags: 15, maxTagsPerVm: 3, rules: 40 });
const inv = parseInventory(json);
const index = buildSurfaceIndex(inv);
const bytes = serializeIndex(index);

function answers(ix: SurfaceIndex) {
  return {
    stats: stats(ix),
    exposed: mostExposed(ix, 1000),
    perVm: inv.vms.map(({ vmId }) => [
      attackers(ix, vmId, { transitive: true }),
      reachableFrom(ix, vmId, { transitive: true }),
      reachableFrom(ix, vmId, { transitive: false }),
    ]),
  };
}

function refusal(buf: Buffer): string {
  try {
    deserializeIndex(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidSurfaceIndex);
    return (err as InvalidSurfaceIndex).reason;
  }
  throw new Error('expected InvalidSurfaceIndex');
}

/** Edits a u32 inside a section and re-seals the checksum, as a crafted buffer would. */
function tamper(buf: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(buf);
  copy.writeUInt32LE(value, offset);
  copy.writeUInt32LE(crc32(copy.subarray(16)), 12);
  return copy;
}

/** Byte offset of the data of section `n` (0-based). */
function sectionData(buf: Buffer, n: number): number {
  let pos = 16;
  for (let i = 0; i < n; i++) {
    const len = buf.readUInt32LE(pos);
    pos += 4 + len + ((4 - (len % 4)) % 4);
  }
  return pos + 4;
}

describe('surface index serialisation', () => {
  it('round-trips to an index with identical answers', () => {
    const back = deserializeIndex(bytes);
    expect(answers(back)).toEqual(answers(index));
    expect(serializeIndex(back).equals(bytes)).toBe(true);
  });

  it('is deterministic: the order of VMs and rules in the input does not matter', () => {
    const rnd = prng(99);
    const shuffle = <T>(xs: T[]) =>
      xs
        .map((x) => [rnd(), x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
    const shuffled = parseInventory({ vms: shuffle(json.vms), fw_rules: shuffle(json.fw_rules) });
    expect(serializeIndex(buildSurfaceIndex(shuffled)).equals(bytes)).toBe(true);
  });

  it('reads from an unaligned Buffer and copies what it keeps', () => {
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    const view = shifted.subarray(1);
    const back = deserializeIndex(view);
    view.fill(0);
    expect(answers(back)).toEqual(answers(index));
  });

  it('keeps non-ASCII ids, names and tags intact', () => {
    const ix = buildSurfaceIndex(
      parseInventory({
        vms: [
          { vm_id: 'vm-ü', name: 'café ☕', tags: ['ταυτότητα'] },
          { vm_id: 'vm-😀', name: '😀', tags: ['x'] },
        ],
        fw_rules: [{ fw_id: 'fw-é', source_tag: 'x', dest_tag: 'ταυτότητα' }],
      }),
    );
    const back = deserializeIndex(serializeIndex(ix));
    expect(attackers(back, 'vm-ü', { transitive: false })).toEqual([
      { vmId: 'vm-😀', kind: 'direct' },
    ]);
    expect(back.vmNames).toEqual(ix.vmNames);
    expect(back.edgeFwIds.toArray()).toEqual(['fw-é']);
  });

  it('refuses damaged buffers with a typed error', () => {
    expect(refusal(Buffer.alloc(0))).toMatch(/shorter than the header/);
    expect(refusal(Buffer.from('not an index at all'))).toMatch(/bad magic/);
    expect(refusal(bytes.subarray(0, bytes.length - 4))).toMatch(/length mismatch/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 0x40;
    expect(refusal(flipped)).toMatch(/checksum/);
    const future = Buffer.from(bytes);
    future.writeUInt32LE(2, 4);
    expect(refusal(future)).toMatch(/unsupported format version 2/);
    expect(() => deserializeIndex('PSIX' as unknown as Buffer)).toThrow(InvalidSurfaceIndex);
    // Every single-byte flip anywhere is caught (header fields or checksum).
    for (let i = 0; i < bytes.length; i += 97) {
      const b = Buffer.from(bytes);
      b[i] ^= 0x01;
      expect(() => deserializeIndex(b)).toThrow(InvalidSurfaceIndex);
    }
  });

  it('refuses crafted buffers whose checksum is right but whose structure is not', () => {
    // Section 0 is the counts: [V, C, T, E, rules, S, D, I, exposure flag].
    const counts = sectionData(bytes, 0);
    expect(refusal(tamper(bytes, counts, 10 ** 9))).toMatch(/vm ids lengths has/);
    expect(refusal(tamper(bytes, counts + 4 * 8, 7))).toMatch(/bad exposure flag/);
    expect(refusal(tamper(bytes, counts + 4 * 4, 0))).toMatch(/fewer rules than distinct edges/);
    // Sections after the counts: 3 string lists and the fw_id table, 2 sections each, then
    // class vm offsets, class vms (9, 10), class tag offsets, class tags, edge offsets, edge
    // dests, class components (15), cyclic flags, condensation offsets, condensation edges (18).
    const classVms = sectionData(bytes, 10);
    expect(refusal(tamper(bytes, classVms, index.vmIds.length))).toMatch(/not a permutation/);
    const edgeDst = sectionData(bytes, 14);
    expect(refusal(tamper(bytes, edgeDst, index.tags.length + 5))).toMatch(/edges/);
    const classScc = sectionData(bytes, 15);
    expect(refusal(tamper(bytes, classScc, index.sccCount))).toMatch(/component out of range/);
    // A condensation edge to a higher-numbered component would allow a cycle.
    const x = index.dagOutStart.findIndex((s, i) => index.dagOutStart[i + 1] > s);
    const firstEdge = sectionData(bytes, 18) + 4 * index.dagOutStart[x];
    expect(refusal(tamper(bytes, firstEdge, x))).toMatch(/condensation/);
    const unsorted = Buffer.from(bytes);
    unsorted[sectionData(bytes, 2)] = 'z'.charCodeAt(0); // first id now sorts last
    unsorted.writeUInt32LE(crc32(unsorted.subarray(16)), 12);
    expect(refusal(unsorted)).toMatch(/vm ids not sorted/);
  });
});
