/**
 * Binary form of a surface index, for storage (e.g. a Postgres bytea) and reuse without a rebuild.
 *
 * Layout, little-endian throughout:
 *   0  "PSIX"                 magic
 *   4  u32 version            FORMAT_VERSION; other versions are refused, not guessed at
 *   8  u32 total length       the whole buffer, header included
 *   12 u32 CRC-32             of bytes [16, total)
 *   16 sections               each a u32 byte length, then the bytes, zero-padded to 4 bytes
 * Sections, in order: counts; VM ids, VM names, tags (each as UTF-16 lengths plus one UTF-8
 * blob, decoded in one call); the edge fw_ids as a StringTable (byte offsets plus UTF-8 bytes,
 * kept encoded); the CSR arrays and components; the exposure counts or, when skipped, the note
 * saying why.
 *
 * Reading checks the header and checksum, then every count, bound and ordering the queries rely
 * on (CSR offsets, permutations, sorted ids, condensation edges going from higher to lower
 * component numbers, which also proves the condensation acyclic), in linear time. A crafted
 * buffer that passes is still a well-formed index: no query can loop or index out of bounds.
 */
import { crc32 } from 'node:zlib';
import {
  completeIndex,
  type ExposureCounts,
  type SurfaceIndex,
  type SurfaceIndexStored,
} from './surface-index.model';
import { StringTable } from './string-table';

export const FORMAT_VERSION = 1;
const MAGIC = 0x58495350; // "PSIX" read as a little-endian u32
const HEADER = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class InvalidSurfaceIndex extends Error {
  override readonly name = 'InvalidSurfaceIndex';
  constructor(readonly reason: string) {
    super(`invalid surface index: ${reason}`);
  }
}

function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

class Writer {
  private readonly parts: Buffer[] = [];

  u32s(values: Uint32Array): void {
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    if (LITTLE_ENDIAN) {
      this.section(bytes);
    } else {
      const copy = Buffer.from(bytes);
      swap32(copy);
      this.section(copy);
    }
  }

  u8s(values: Uint8Array): void {
    this.section(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }

  bytes(values: Buffer): void {
    this.section(values);
  }

  strings(list: readonly string[]): void {
    const lengths = new Uint32Array(list.length);
    for (let i = 0; i < list.length; i++) lengths[i] = list[i].length;
    this.u32s(lengths);
    this.section(Buffer.from(list.join(''), 'utf8'));
  }

  private section(bytes: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(bytes.length);
    this.parts.push(len, bytes);
    const pad = (4 - (bytes.length % 4)) % 4;
    if (pad) this.parts.push(Buffer.alloc(pad));
  }

  finish(): Buffer {
    const header = Buffer.alloc(HEADER);
    const out = Buffer.concat([header, ...this.parts]);
    // The header stores the length as a u32; indexes are far smaller at the parser's limits.
    if (out.length > 0xffffffff) throw new RangeError('surface index over 4 GiB');
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(FORMAT_VERSION, 4);
    out.writeUInt32LE(out.length, 8);
    out.writeUInt32LE(crc32(out.subarray(HEADER)), 12);
    return out;
  }
}

export function serializeIndex(index: SurfaceIndex): Buffer {
  const w = new Writer();
  const ex = index.exposure;
  w.u32s(
    Uint32Array.from([
      index.vmIds.length,
      index.classVmStart.length - 1,
      index.tags.length,
      index.edgeDst.length,
      index.ruleCount,
      index.sccCount,
      index.dagOut.length,
      index.classTags.length,
      ex ? 1 : 0,
    ]),
  );
  w.strings(index.vmIds);
  w.strings(index.vmNames);
  w.strings(index.tags);
  w.u32s(index.edgeFwIds.offsets);
  w.bytes(index.edgeFwIds.bytes);
  w.u32s(index.classVmStart);
  w.u32s(index.classVms);
  w.u32s(index.classTagStart);
  w.u32s(index.classTags);
  w.u32s(index.edgeOutStart);
  w.u32s(index.edgeDst);
  w.u32s(index.classScc);
  w.u8s(index.sccNontrivial);
  w.u32s(index.dagOutStart);
  w.u32s(index.dagOut);
  if (ex) {
    w.u32s(ex.classDirect);
    w.u8s(ex.classSelfDirect);
    w.u32s(ex.classTransitive);
    w.u32s(ex.order);
  } else {
    w.strings([index.exposureNote ?? '']);
  }
  return w.finish();
}

class Reader {
  private pos = HEADER;
  constructor(private readonly buf: Buffer) {}

  private section(what: string): Buffer {
    if (this.pos + 4 > this.buf.length) throw new InvalidSurfaceIndex(`truncated before ${what}`);
    const len = this.buf.readUInt32LE(this.pos);
    const start = this.pos + 4;
    if (len > this.buf.length - start) throw new InvalidSurfaceIndex(`truncated ${what}`);
    this.pos = start + len + ((4 - (len % 4)) % 4);
    return this.buf.subarray(start, start + len);
  }

  u32s(what: string, count: number): Uint32Array {
    const bytes = this.section(what);
    if (bytes.length !== count * 4) {
      throw new InvalidSurfaceIndex(`${what} has ${bytes.length} bytes, expected ${count * 4}`);
    }
    // A copy: the input may sit at an unaligned offset, and must not be aliased anyway.
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    if (!LITTLE_ENDIAN) swap32(copy);
    return new Uint32Array(copy.buffer);
  }

  u8s(what: string, count: number): Uint8Array {
    const bytes = this.section(what);
    if (bytes.length !== count) {
      throw new InvalidSurfaceIndex(`${what} has ${bytes.length} bytes, expected ${count}`);
    }
    return Uint8Array.from(bytes);
  }

  table(what: string, count: number): StringTable {
    const offsets = this.u32s(`${what} offsets`, count + 1);
    const bytes = Buffer.from(this.section(what));
    const table = StringTable.fromParts(bytes, offsets);
    if (typeof table === 'string') throw new InvalidSurfaceIndex(`${what}: ${table}`);
    return table;
  }

  strings(what: string, count: number): string[] {
    const lengths = this.u32s(`${what} lengths`, count);
    const blob = this.section(what);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(blob);
    } catch {
      throw new InvalidSurfaceIndex(`${what} is not valid UTF-8`);
    }
    const out = new Array<string>(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (lengths[i] > text.length - at) throw new InvalidSurfaceIndex(`${what} lengths overrun`);
      out[i] = text.slice(at, at + lengths[i]);
      at += lengths[i];
    }
    if (at !== text.length) throw new InvalidSurfaceIndex(`${what} has trailing text`);
    return out;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new InvalidSurfaceIndex('trailing bytes after index');
  }
}

export function deserializeIndex(buf: Buffer): SurfaceIndex {
  if (!Buffer.isBuffer(buf)) throw new InvalidSurfaceIndex('not a Buffer');
  if (buf.length < HEADER) throw new InvalidSurfaceIndex('shorter than the header');
  if (buf.readUInt32LE(0) !== MAGIC) throw new InvalidSurfaceIndex('bad magic (not an index)');
  const version = buf.readUInt32LE(4);
  if (version !== FORMAT_VERSION) {
    throw new InvalidSurfaceIndex(`unsupported format version ${version}`);
  }
  if (buf.readUInt32LE(8) !== buf.length) throw new InvalidSurfaceIndex('length mismatch');
  if (buf.readUInt32LE(12) !== crc32(buf.subarray(HEADER))) {
    throw new InvalidSurfaceIndex('checksum mismatch');
  }
  const r = new Reader(buf);
  const [V, C, T, E, ruleCount, S, D, I, hasExposure] = r.u32s('counts', 9);
  const stored: SurfaceIndexStored = {
    vmIds: r.strings('vm ids', V),
    vmNames: r.strings('vm names', V),
    tags: r.strings('tags', T),
    edgeFwIds: r.table('edge fw_ids', E),
    ruleCount,
    classVmStart: r.u32s('class vm offsets', C + 1),
    classVms: r.u32s('class vms', V),
    classTagStart: r.u32s('class tag offsets', C + 1),
    classTags: r.u32s('class tags', I),
    edgeOutStart: r.u32s('edge offsets', T + 1),
    edgeDst: r.u32s('edge dest tags', E),
    sccCount: S,
    classScc: r.u32s('class components', C),
    sccNontrivial: r.u8s('cyclic components', S),
    dagOutStart: r.u32s('condensation offsets', S + 1),
    dagOut: r.u32s('condensation edges', D),
    exposure: null,
    exposureNote: null,
  };
  let exposure: ExposureCounts | null = null;
  let exposureNote: string | null = null;
  if (hasExposure === 1) {
    exposure = {
      classDirect: r.u32s('direct counts', C),
      classSelfDirect: r.u8s('self-direct flags', C),
      classTransitive: r.u32s('transitive counts', C),
      order: r.u32s('exposure order', V),
    };
  } else if (hasExposure === 0) {
    exposureNote = r.strings('exposure note', 1)[0];
  } else {
    throw new InvalidSurfaceIndex('bad exposure flag');
  }
  r.end();
  validate(stored, exposure);
  return completeIndex({ ...stored, exposure, exposureNote });
}

function check(ok: boolean, reason: string): void {
  if (!ok) throw new InvalidSurfaceIndex(reason);
}

/** CSR offsets: start at 0, never decrease (strictly increase when rows must be non-empty). */
function checkOffsets(start: Uint32Array, total: number, what: string, nonEmpty = false): void {
  check(start[0] === 0 && start[start.length - 1] === total, `${what}: bad bounds`);
  for (let i = 1; i < start.length; i++) {
    check(
      nonEmpty ? start[i] > start[i - 1] : start[i] >= start[i - 1],
      `${what}: offsets out of order`,
    );
  }
}

/** Every row strictly ascending and below `limit` (optionally below a per-row bound). */
function checkRows(
  start: Uint32Array,
  items: Uint32Array,
  limit: number,
  what: string,
  rowBound?: (row: number) => number,
): void {
  for (let r = 0; r + 1 < start.length; r++) {
    const bound = rowBound ? Math.min(limit, rowBound(r)) : limit;
    for (let p = start[r]; p < start[r + 1]; p++) {
      check(items[p] < bound, `${what}: entry out of range`);
      check(p === start[r] || items[p] > items[p - 1], `${what}: row not strictly ascending`);
    }
  }
}

function checkPermutation(values: Uint32Array, n: number, what: string): void {
  const seen = new Uint8Array(n);
  for (let i = 0; i < values.length; i++) {
    check(values[i] < n && !seen[values[i]], `${what}: not a permutation`);
    seen[values[i]] = 1;
  }
}

function checkAscending(list: readonly string[], what: string): void {
  for (let i = 1; i < list.length; i++) check(list[i - 1] < list[i], `${what} not sorted`);
}

function validate(s: SurfaceIndexStored, ex: ExposureCounts | null): void {
  const V = s.vmIds.length;
  const C = s.classVmStart.length - 1;
  const T = s.tags.length;
  const S = s.sccCount;
  check(s.ruleCount >= s.edgeDst.length, 'fewer rules than distinct edges');
  checkAscending(s.vmIds, 'vm ids');
  checkAscending(s.tags, 'tags');
  checkOffsets(s.classVmStart, V, 'class vms', true);
  checkPermutation(s.classVms, V, 'class vms');
  checkRows(s.classVmStart, s.classVms, V, 'class vms');
  checkOffsets(s.classTagStart, s.classTags.length, 'class tags');
  checkRows(s.classTagStart, s.classTags, T, 'class tags');
  checkOffsets(s.edgeOutStart, s.edgeDst.length, 'edges');
  checkRows(s.edgeOutStart, s.edgeDst, T, 'edges');
  for (let c = 0; c < C; c++) check(s.classScc[c] < S, 'class component out of range');
  for (let x = 0; x < S; x++) check(s.sccNontrivial[x] <= 1, 'bad cyclic flag');
  checkOffsets(s.dagOutStart, s.dagOut.length, 'condensation');
  // Edges only to lower-numbered components: the stored numbering is topological, so acyclic.
  checkRows(s.dagOutStart, s.dagOut, S, 'condensation', (x) => x);
  // Two classes in one component means a cycle through both.
  const classesIn = new Uint32Array(S);
  for (let c = 0; c < C; c++) classesIn[s.classScc[c]]++;
  for (let x = 0; x < S; x++)
    check(classesIn[x] <= 1 || s.sccNontrivial[x] === 1, 'bad cycle flag');
  if (ex) {
    checkPermutation(ex.order, V, 'exposure order');
    for (let c = 0; c < C; c++) {
      check(ex.classSelfDirect[c] <= 1, 'bad self-direct flag');
      check(
        ex.classDirect[c] <= V && ex.classDirect[c] >= ex.classSelfDirect[c],
        'direct count out of range',
      );
      check(
        ex.classTransitive[c] <= V &&
          ex.classTransitive[c] >= ex.classDirect[c] &&
          ex.classTransitive[c] >= s.sccNontrivial[s.classScc[c]],
        'transitive count out of range',
      );
    }
  }
}
