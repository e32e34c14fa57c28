import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bruteForce, randomInventoryJson } from './fixtures/oracle';
import { parseInventory } from './inventory';
import { buildSurfaceIndex, deserializeIndex, serializeIndex } from './surface-index';
import {
  attackers,
  attackPath,
  ExposureUnavailable,
  explainAttackPath,
  hasVm,
  mostExposed,
  reachableFrom,
  stats,
  UnknownVm,
  vmInfo,
} from './surface-queries';

const load = (name: string) =>
  buildSurfaceIndex(parseInventory(readFileSync(path.join(__dirname, 'fixtures', name))));
const direct = (ids: string[]) => ids.map((vmId) => ({ vmId, kind: 'direct' }));
const transitive = (ids: string[]) => ids.map((vmId) => ({ vmId, kind: 'transitive' }));

describe('attack-surface queries on hand-made inventories', () => {
  it('the reference example: a VM carrying both ends of a rule does not attack itself', () => {
    const ix = load('reference-example.json');
    expect(attackers(ix, 'vm-a211de', { transitive: false })).toEqual(direct(['vm-c7bac01a07']));
    expect(attackers(ix, 'vm-a211de', { transitive: true })).toEqual(direct(['vm-c7bac01a07']));
    expect(attackers(ix, 'vm-c7bac01a07', { transitive: true })).toEqual([]);
    expect(reachableFrom(ix, 'vm-c7bac01a07', { transitive: false })).toEqual(['vm-a211de']);
    expect(vmInfo(ix, 'vm-c7bac01a07')).toEqual({
      vmId: 'vm-c7bac01a07',
      name: 'bastion',
      tags: ['dev', 'ssh'],
    });
  });

  it('a cycle of tags: everyone on it attacks the others, nobody attacks itself', () => {
    const ix = load('cycle.json');
    expect(attackers(ix, 'vm-a', { transitive: false })).toEqual(direct(['vm-c']));
    expect(attackers(ix, 'vm-a', { transitive: true })).toEqual([
      ...direct(['vm-c']),
      ...transitive(['vm-b']),
    ]);
    expect(attackers(ix, 'vm-d', { transitive: true })).toEqual([
      ...direct(['vm-c']),
      ...transitive(['vm-a', 'vm-b']),
    ]);
    expect(reachableFrom(ix, 'vm-a', { transitive: true })).toEqual(['vm-b', 'vm-c', 'vm-d']);
    expect(reachableFrom(ix, 'vm-d', { transitive: true })).toEqual([]);
    expect(attackPath(ix, 'vm-a', 'vm-d')).toEqual(['vm-a', 'vm-b', 'vm-c', 'vm-d']);
    expect(attackPath(ix, 'vm-c', 'vm-b')).toEqual(['vm-c', 'vm-a', 'vm-b']);
    expect(attackPath(ix, 'vm-d', 'vm-a')).toBeNull();
    expect(attackPath(ix, 'vm-a', 'vm-a')).toBeNull();
  });

  it('unknown VM ids are errors; isolated VMs have empty answers', () => {
    const ix = load('cycle.json');
    for (const id of ['vm-e', 'vm-f']) {
      expect(attackers(ix, id, { transitive: true })).toEqual([]);
      expect(reachableFrom(ix, id, { transitive: true })).toEqual([]);
    }
    expect(() => attackers(ix, 'vm-zzz', { transitive: false })).toThrow(UnknownVm);
    try {
      reachableFrom(ix, 'vm-', { transitive: true });
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownVm);
      expect((err as UnknownVm).vmId).toBe('vm-');
    }
    expect(() => attackPath(ix, 'vm-a', 'nope')).toThrow(UnknownVm);
    expect(() => attackPath(ix, 'nope', 'vm-a')).toThrow(UnknownVm);
    expect(() => vmInfo(ix, '')).toThrow(UnknownVm);
    expect(hasVm(ix, 'vm-a')).toBe(true);
    expect(hasVm(ix, 'VM-A')).toBe(false);
  });

  it('self-loops: VMs sharing the tag attack each other, a lone VM has no attackers', () => {
    const ix = load('self-loop.json');
    expect(attackers(ix, 'vm-solo', { transitive: true })).toEqual([]);
    expect(attackers(ix, 'vm-web-1', { transitive: true })).toEqual(direct(['vm-web-2']));
    expect(attackers(ix, 'vm-db', { transitive: true })).toEqual(direct(['vm-web-1', 'vm-web-2']));
    expect(attackPath(ix, 'vm-web-2', 'vm-web-1')).toEqual(['vm-web-2', 'vm-web-1']);
    expect(attackPath(ix, 'vm-solo', 'vm-web-1')).toBeNull();
    expect(reachableFrom(ix, 'vm-web-1', { transitive: true })).toEqual(['vm-db', 'vm-web-2']);
  });

  it('a chain where direct and transitive answers differ, with VMs of several tags', () => {
    const ix = load('chain.json');
    expect(attackers(ix, 'vm-4-db', { transitive: false })).toEqual(direct(['vm-3-app']));
    expect(attackers(ix, 'vm-4-db', { transitive: true })).toEqual([
      ...direct(['vm-3-app']),
      ...transitive(['vm-1-internet', 'vm-2-web', 'vm-5-monitor', 'vm-6-backup']),
    ]);
    // app -> backup -> app is a cycle through two VMs: app is still not its own attacker.
    expect(attackers(ix, 'vm-3-app', { transitive: true })).toEqual([
      ...direct(['vm-2-web', 'vm-5-monitor', 'vm-6-backup']),
      ...transitive(['vm-1-internet']),
    ]);
    expect(attackers(ix, 'vm-6-backup', { transitive: true })).toEqual([
      ...direct(['vm-3-app']),
      ...transitive(['vm-1-internet', 'vm-2-web', 'vm-5-monitor']),
    ]);
    expect(reachableFrom(ix, 'vm-1-internet', { transitive: false })).toEqual(['vm-2-web']);
    expect(reachableFrom(ix, 'vm-1-internet', { transitive: true })).toEqual([
      'vm-2-web',
      'vm-3-app',
      'vm-4-db',
      'vm-6-backup',
    ]);
    expect(explainAttackPath(ix, 'vm-1-internet', 'vm-4-db')).toEqual([
      {
        from: 'vm-1-internet',
        to: 'vm-2-web',
        fwId: 'fw-10',
        sourceTag: 'internet',
        destTag: 'web',
      },
      { from: 'vm-2-web', to: 'vm-3-app', fwId: 'fw-20', sourceTag: 'web', destTag: 'app' },
      { from: 'vm-3-app', to: 'vm-4-db', fwId: 'fw-30', sourceTag: 'app', destTag: 'db' },
    ]);
    // The monitor skips web: monitored is on app too.
    expect(attackPath(ix, 'vm-5-monitor', 'vm-4-db')).toEqual([
      'vm-5-monitor',
      'vm-3-app',
      'vm-4-db',
    ]);
    expect(mostExposed(ix, 4)).toEqual([
      { vmId: 'vm-4-db', directAttackers: 1, transitiveAttackers: 5 },
      { vmId: 'vm-3-app', directAttackers: 3, transitiveAttackers: 4 },
      { vmId: 'vm-6-backup', directAttackers: 1, transitiveAttackers: 4 },
      { vmId: 'vm-2-web', directAttackers: 2, transitiveAttackers: 2 },
    ]);
    expect(mostExposed(ix, 100)).toHaveLength(6);
    expect(mostExposed(ix, 0)).toEqual([]);
    expect(() => mostExposed(ix, -1)).toThrow(RangeError);
    expect(() => mostExposed(ix, 1.5)).toThrow(RangeError);
  });

  it('duplicate rules count once, and a path names the smallest fw_id', () => {
    const ix = load('duplicate-rules.json');
    expect(attackers(ix, 'vm-y', { transitive: true })).toEqual(direct(['vm-x']));
    expect(explainAttackPath(ix, 'vm-x', 'vm-y')).toEqual([
      { from: 'vm-x', to: 'vm-y', fwId: 'fw-a', sourceTag: 'x', destTag: 'y' },
    ]);
    expect(stats(ix)).toMatchObject({ vmCount: 2, ruleCount: 3, distinctRuleCount: 1 });
  });

  it('an empty inventory: nothing to ask about, zero everywhere', () => {
    const ix = load('empty.json');
    expect(stats(ix)).toEqual({
      vmCount: 0,
      ruleCount: 0,
      distinctRuleCount: 0,
      tagCount: 0,
      classCount: 0,
      componentCount: 0,
      cyclicVmComponentCount: 0,
      largestComponentVmCount: 0,
      exposure: 'precomputed',
      exposureNote: null,
    });
    expect(mostExposed(ix, 10)).toEqual([]);
    expect(() => attackers(ix, 'vm-1', { transitive: true })).toThrow(UnknownVm);
  });

  it('tags and ids named __proto__ or constructor are ordinary', () => {
    const ix = load('proto-tags.json');
    expect(attackers(ix, '__proto__', { transitive: true })).toEqual(direct(['constructor']));
    expect(() => attackers(ix, 'toString', { transitive: true })).toThrow(UnknownVm);
  });

  it('stats describe classes and components', () => {
    expect(stats(load('chain.json'))).toEqual({
      vmCount: 6,
      ruleCount: 5,
      distinctRuleCount: 5,
      tagCount: 7,
      classCount: 6,
      // 6 classes + 7 source + 7 dest tag nodes; app -> app+ -> db- -> backup -> backup+ -> app-
      // -> app is the one cycle, merging 6 nodes into one component.
      componentCount: 20 - 6 + 1,
      cyclicVmComponentCount: 1,
      largestComponentVmCount: 2,
      exposure: 'precomputed',
      exposureNote: null,
    });
  });

  it('skips the exposure counts over budget, without touching other answers', () => {
    const inv = parseInventory(readFileSync(path.join(__dirname, 'fixtures', 'chain.json')));
    const ix = buildSurfaceIndex(inv, { exposure: { maxWork: 1 } });
    expect(stats(ix).exposure).toBe('skipped');
    expect(stats(ix).exposureNote).toMatch(/over the budget/);
    expect(() => mostExposed(ix, 3)).toThrow(ExposureUnavailable);
    expect(attackers(ix, 'vm-4-db', { transitive: true })).toHaveLength(5);
    const small = buildSurfaceIndex(inv, { exposure: { maxBitsetBytes: 1 } });
    expect(() => mostExposed(small, 3)).toThrow(/bitsets/);
    // Survives storage.
    expect(() => mostExposed(deserializeIndex(serializeIndex(ix)), 1)).toThrow(/over the budget/);
  });
});

describe('attack-surface queries at depth', () => {
  // 30k hops: far past the depth at which a recursive Tarjan or DFS overflows the stack.
  const n = 30_000;
  const id = (i: number) => `vm-${String(i).padStart(5, '0')}`;
  const chain = (closed: boolean) =>
    parseInventory({
      vms: Array.from({ length: n }, (_, i) => ({ vm_id: id(i), name: `n${i}`, tags: [`t${i}`] })),
      fw_rules: Array.from({ length: closed ? n : n - 1 }, (_, i) => ({
        fw_id: `fw-${i}`,
        source_tag: `t${i}`,
        dest_tag: `t${(i + 1) % n}`,
      })),
    });

  it('a long chain: the last VM has every other VM as an attacker, one of them direct', () => {
    const ix = buildSurfaceIndex(chain(false));
    const all = attackers(ix, id(n - 1), { transitive: true });
    expect(all).toHaveLength(n - 1);
    expect(all[0]).toEqual({ vmId: id(n - 2), kind: 'direct' });
    expect(attackPath(ix, id(0), id(n - 1))).toHaveLength(n);
    expect(attackPath(ix, id(n - 1), id(0))).toBeNull();
    expect(mostExposed(ix, 2)).toEqual([
      { vmId: id(n - 1), directAttackers: 1, transitiveAttackers: n - 1 },
      { vmId: id(n - 2), directAttackers: 1, transitiveAttackers: n - 2 },
    ]);
  });

  it('the same chain closed into a ring: one component, nobody its own attacker', () => {
    const ix = buildSurfaceIndex(chain(true));
    expect(stats(ix)).toMatchObject({ cyclicVmComponentCount: 1, largestComponentVmCount: n });
    const all = attackers(ix, id(0), { transitive: true });
    expect(all).toHaveLength(n - 1);
    expect(all.some((a) => a.vmId === id(0))).toBe(false);
    expect(attackPath(ix, id(1), id(0))).toHaveLength(n);
    expect(mostExposed(ix, 1)[0]).toMatchObject({ transitiveAttackers: n - 1 });
  });
});

describe('attack-surface queries agree with brute force on random inventories', () => {
  const shapes = [
    { vms: 8, tags: 4, maxTagsPerVm: 2, rules: 5 },
    { vms: 12, tags: 6, maxTagsPerVm: 3, rules: 10 },
    { vms: 20, tags: 12, maxTagsPerVm: 2, rules: 12 },
    { vms: 30, tags: 4, maxTagsPerVm: 1, rules: 3 },
    { vms: 90, tags: 60, maxTagsPerVm: 2, rules: 70 },
  ];
  const seeds = 40;

  for (const [s, shape] of shapes.entries()) {
    it(`shape ${JSON.stringify(shape)}, ${seeds} seeds`, { timeout: 60_000 }, () => {
      for (let seed = 1; seed <= seeds; seed++) {
        const inv = parseInventory(randomInventoryJson(seed * 1000 + s, shape));
        const oracle = bruteForce(inv);
        // Small chunks force the multi-pass transitive counting on the larger shapes.
        const built = buildSurfaceIndex(inv, { exposure: { maxChunkWords: 1 } });
        const stored = deserializeIndex(serializeIndex(built));
        for (const ix of [built, stored]) {
          const exposed = new Map(mostExposed(ix, inv.vms.length).map((e) => [e.vmId, e]));
          for (const { vmId } of inv.vms) {
            const ctx = `seed ${seed}, vm ${vmId}`;
            const d = oracle.direct(vmId);
            const t = oracle.transitive(vmId);
            expect(attackers(ix, vmId, { transitive: false }), ctx).toEqual(direct(d));
            expect(attackers(ix, vmId, { transitive: true }), ctx).toEqual([
              ...direct(d),
              ...transitive(t.filter((x) => !d.includes(x))),
            ]);
            expect(reachableFrom(ix, vmId, { transitive: false }), ctx).toEqual(
              oracle.reachDirect(vmId),
            );
            expect(reachableFrom(ix, vmId, { transitive: true }), ctx).toEqual(
              oracle.reachTransitive(vmId),
            );
            expect(exposed.get(vmId), ctx).toEqual({
              vmId,
              directAttackers: d.length,
              transitiveAttackers: t.length,
            });
          }
          // Paths: a sample of pairs, shortest and made of allowed hops.
          for (let i = 0; i < inv.vms.length; i += 3) {
            for (let j = 0; j < inv.vms.length; j += 2) {
              const a = inv.vms[i].vmId;
              const b = inv.vms[j].vmId;
              const hops = explainAttackPath(ix, a, b);
              const distance = oracle.distance(a, b);
              expect(hops?.length ?? null, `${a} -> ${b}`).toBe(distance);
              for (const h of hops ?? []) {
                expect(oracle.hopAllowed(h.from, h.to, h.fwId), `${a} -> ${b}`).toBe(true);
              }
              if (hops) {
                expect(hops[0].from).toBe(a);
                expect(hops[hops.length - 1].to).toBe(b);
                hops.slice(1).forEach((h, k) => expect(h.from).toBe(hops[k].to));
              }
            }
          }
        }
      }
    });
  }
});
