/**
 * Queries over a surface index (see surface-index.ts for the graph G and why it is exact).
 *
 * Costs, with the inventory of the benchmark (100k VMs, 5k tags, 1M rules) in mind:
 *   attackers (direct)       O(rules into V's tags + classes carrying their sources + answer)
 *   attackers (transitive)   O(ancestor components + their condensation edges + answer)
 *   reachableFrom            the same, forwards
 *   attackPath               BFS over G from the attacker's class, stopping at the target's:
 *                            O(|G|) at worst, usually a few levels
 *   mostExposed, stats       O(limit), O(1) apart from a count over components
 * Answers are sorted by VM number, which is vm_id order, so no string sort happens per query.
 * Queries are synchronous and share per-index scratch arrays (epoch-stamped, never cleared).
 */
import { type SurfaceIndex } from './surface-index.model';

export class UnknownVm extends Error {
  override readonly name = 'UnknownVm';
  constructor(readonly vmId: string) {
    super(`unknown VM ${JSON.stringify(vmId)}`);
  }
}

/** `mostExposed` on an index whose build skipped the counts (over its budget). */
export class ExposureUnavailable extends Error {
  override readonly name = 'ExposureUnavailable';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export type AttackerKind = 'direct' | 'transitive';

export interface Attacker {
  readonly vmId: string;
  /** `direct` when one rule suffices (even if longer chains exist too), else `transitive`. */
  readonly kind: AttackerKind;
}

export interface PathHop {
  readonly from: string;
  readonly to: string;
  /** One rule allowing the hop: the smallest fw_id among those with these two tags. */
  readonly fwId: string;
  readonly sourceTag: string;
  readonly destTag: string;
}

export interface ExposedVm {
  readonly vmId: string;
  /** VMs reaching this one through a single rule. */
  readonly directAttackers: number;
  /** VMs reaching this one through any chain, direct attackers included. */
  readonly transitiveAttackers: number;
}

export interface VmInfo {
  readonly vmId: string;
  readonly name: string;
  readonly tags: readonly string[];
}

export interface SurfaceStats {
  readonly vmCount: number;
  /** Rules in the inventory, duplicates included. */
  readonly ruleCount: number;
  /** Distinct (source tag, dest tag) pairs among the rules. */
  readonly distinctRuleCount: number;
  readonly tagCount: number;
  /** Sets of VMs with identical tag sets. */
  readonly classCount: number;
  /** Strongly connected components of the class/tag graph. */
  readonly componentCount: number;
  /** Components holding VMs that sit on a cycle (their VMs attack each other). */
  readonly cyclicVmComponentCount: number;
  /** VMs in the largest component: VMs that all attack one another when it is cyclic. */
  readonly largestComponentVmCount: number;
  readonly exposure: 'precomputed' | 'skipped';
  readonly exposureNote: string | null;
}

interface Scratch {
  epoch: number;
  readonly vmMark: Uint32Array;
  readonly classMark: Uint32Array;
  readonly srcMark: Uint32Array;
  readonly dstMark: Uint32Array;
  readonly sccMark: Uint32Array;
  readonly classBuf: Uint32Array;
  readonly sccBuf: Uint32Array;
  readonly vmBuf: Uint32Array;
  /** attackPath parents: class <- dest tag, dest tag <- edge, source tag <- class. */
  readonly classFrom: Uint32Array;
  readonly dstFrom: Uint32Array;
  readonly srcFrom: Uint32Array;
}

const scratches = new WeakMap<SurfaceIndex, Scratch>();

function scratch(ix: SurfaceIndex): Scratch {
  let sc = scratches.get(ix);
  if (!sc) {
    const V = ix.vmIds.length;
    const C = ix.classVmStart.length - 1;
    const T = ix.tags.length;
    const S = ix.sccCount;
    sc = {
      epoch: 0,
      vmMark: new Uint32Array(V),
      classMark: new Uint32Array(C),
      srcMark: new Uint32Array(T),
      dstMark: new Uint32Array(T),
      sccMark: new Uint32Array(S),
      classBuf: new Uint32Array(C),
      sccBuf: new Uint32Array(S),
      vmBuf: new Uint32Array(V),
      classFrom: new Uint32Array(C),
      dstFrom: new Uint32Array(T),
      srcFrom: new Uint32Array(T),
    };
    scratches.set(ix, sc);
  }
  return sc;
}

function nextEpoch(sc: Scratch): number {
  if (sc.epoch === 0xffffffff) {
    for (const a of [sc.vmMark, sc.classMark, sc.srcMark, sc.dstMark, sc.sccMark]) a.fill(0);
    sc.epoch = 0;
  }
  return ++sc.epoch;
}

function vmNumber(ix: SurfaceIndex, vmId: string): number {
  if (typeof vmId !== 'string') throw new UnknownVm(String(vmId));
  const ids = ix.vmIds;
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < vmId) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= ids.length || ids[lo] !== vmId) throw new UnknownVm(vmId);
  return lo;
}

export function hasVm(ix: SurfaceIndex, vmId: string): boolean {
  try {
    vmNumber(ix, vmId);
    return true;
  } catch {
    return false;
  }
}

export function vmInfo(ix: SurfaceIndex, vmId: string): VmInfo {
  const v = vmNumber(ix, vmId);
  const c = ix.vmClass[v];
  const tags: string[] = [];
  for (let p = ix.classTagStart[c]; p < ix.classTagStart[c + 1]; p++) {
    tags.push(ix.tags[ix.classTags[p]]);
  }
  return { vmId, name: ix.vmNames[v], tags };
}

/** Classes with a rule into class q, in sc.classBuf; returns how many. */
function directPredecessors(ix: SurfaceIndex, sc: Scratch, q: number): number {
  const e = nextEpoch(sc);
  const { classTagStart, classTags, edgeInStart, edgeIn, edgeSrc, tagClassStart, tagClasses } = ix;
  let n = 0;
  for (let p = classTagStart[q]; p < classTagStart[q + 1]; p++) {
    const d = classTags[p];
    for (let k = edgeInStart[d]; k < edgeInStart[d + 1]; k++) {
      const s = edgeSrc[edgeIn[k]];
      if (sc.srcMark[s] === e) continue;
      sc.srcMark[s] = e;
      for (let r = tagClassStart[s]; r < tagClassStart[s + 1]; r++) {
        const c = tagClasses[r];
        if (sc.classMark[c] === e) continue;
        sc.classMark[c] = e;
        sc.classBuf[n++] = c;
      }
    }
  }
  return n;
}

/** Classes class q has a rule into, in sc.classBuf; returns how many. */
function directSuccessors(ix: SurfaceIndex, sc: Scratch, q: number): number {
  const e = nextEpoch(sc);
  const { classTagStart, classTags, edgeOutStart, edgeDst, tagClassStart, tagClasses } = ix;
  let n = 0;
  for (let p = classTagStart[q]; p < classTagStart[q + 1]; p++) {
    const s = classTags[p];
    for (let k = edgeOutStart[s]; k < edgeOutStart[s + 1]; k++) {
      const d = edgeDst[k];
      if (sc.dstMark[d] === e) continue;
      sc.dstMark[d] = e;
      for (let r = tagClassStart[d]; r < tagClassStart[d + 1]; r++) {
        const c = tagClasses[r];
        if (sc.classMark[c] === e) continue;
        sc.classMark[c] = e;
        sc.classBuf[n++] = c;
      }
    }
  }
  return n;
}

/**
 * Classes with a non-empty path to (backwards) or from (forwards) class q in G: the classes of
 * every component strictly before/after q's in the condensation, plus q's own when it is cyclic.
 */
function closure(ix: SurfaceIndex, sc: Scratch, q: number, backwards: boolean): number {
  const e = nextEpoch(sc);
  const start = backwards ? ix.dagInStart : ix.dagOutStart;
  const next = backwards ? ix.dagIn : ix.dagOut;
  const origin = ix.classScc[q];
  sc.sccMark[origin] = e;
  let tail = 0;
  for (let k = start[origin]; k < start[origin + 1]; k++) {
    const y = next[k];
    if (sc.sccMark[y] !== e) {
      sc.sccMark[y] = e;
      sc.sccBuf[tail++] = y;
    }
  }
  for (let head = 0; head < tail; head++) {
    const x = sc.sccBuf[head];
    for (let k = start[x]; k < start[x + 1]; k++) {
      const y = next[k];
      if (sc.sccMark[y] !== e) {
        sc.sccMark[y] = e;
        sc.sccBuf[tail++] = y;
      }
    }
  }
  if (ix.sccNontrivial[origin]) sc.sccBuf[tail++] = origin;
  let n = 0;
  for (let i = 0; i < tail; i++) {
    const x = sc.sccBuf[i];
    for (let p = ix.sccClassStart[x]; p < ix.sccClassStart[x + 1]; p++) {
      sc.classBuf[n++] = ix.sccClasses[p];
    }
  }
  return n;
}

/** VM numbers of the first n classes in sc.classBuf, minus `exclude`, ascending (a copy). */
function vmsOf(ix: SurfaceIndex, sc: Scratch, n: number, exclude: number): Uint32Array {
  const V = ix.vmIds.length;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = sc.classBuf[i];
    for (let p = ix.classVmStart[c]; p < ix.classVmStart[c + 1]; p++) {
      const v = ix.classVms[p];
      if (v !== exclude) sc.vmBuf[m++] = v;
    }
  }
  // Large answers: a linear pass over marks beats sorting; small ones: sort what was found.
  if (m > V >>> 4) {
    const e = nextEpoch(sc);
    for (let i = 0; i < m; i++) sc.vmMark[sc.vmBuf[i]] = e;
    const out = new Uint32Array(m);
    for (let v = 0, k = 0; v < V; v++) if (sc.vmMark[v] === e) out[k++] = v;
    return out;
  }
  return sc.vmBuf.slice(0, m).sort();
}

/**
 * Who can reach `vmId`: with `transitive: false` the VMs with a rule into it; with `transitive:
 * true` every VM with a chain to it, each labelled `direct` or `transitive`. Never `vmId`
 * itself. Sorted by kind (direct first), then by vm_id. Throws `UnknownVm`.
 */
export function attackers(
  ix: SurfaceIndex,
  vmId: string,
  opts: { readonly transitive: boolean },
): Attacker[] {
  const v = vmNumber(ix, vmId);
  const sc = scratch(ix);
  const q = ix.vmClass[v];
  const direct = vmsOf(ix, sc, directPredecessors(ix, sc, q), v);
  const out: Attacker[] = [];
  for (let i = 0; i < direct.length; i++) out.push({ vmId: ix.vmIds[direct[i]], kind: 'direct' });
  if (!opts.transitive) return out;
  const all = vmsOf(ix, sc, closure(ix, sc, q, true), v);
  // Both lists ascending and direct is a subset of all: one merge pass separates the rest.
  for (let i = 0, j = 0; i < all.length; i++) {
    if (j < direct.length && direct[j] === all[i]) j++;
    else out.push({ vmId: ix.vmIds[all[i]], kind: 'transitive' });
  }
  return out;
}

/** Whom `vmId` can reach (directly, or through any chain), sorted by vm_id, never itself. */
export function reachableFrom(
  ix: SurfaceIndex,
  vmId: string,
  opts: { readonly transitive: boolean },
): string[] {
  const v = vmNumber(ix, vmId);
  const sc = scratch(ix);
  const q = ix.vmClass[v];
  const n = opts.transitive ? closure(ix, sc, q, false) : directSuccessors(ix, sc, q);
  return Array.from(vmsOf(ix, sc, n, v), (x) => ix.vmIds[x]);
}

/**
 * One shortest chain of hops from `attackerId` to `targetId`, each with a rule allowing it, or
 * null when there is none (including attacker = target: a VM is not its own attacker). Ties are
 * broken deterministically (lowest tag, rule and VM numbers first). Throws `UnknownVm`.
 */
export function explainAttackPath(
  ix: SurfaceIndex,
  attackerId: string,
  targetId: string,
): PathHop[] | null {
  const a = vmNumber(ix, attackerId);
  const t = vmNumber(ix, targetId);
  if (a === t) return null;
  const sc = scratch(ix);
  const e = nextEpoch(sc);
  const from = ix.vmClass[a];
  const to = ix.vmClass[t];
  const { classTagStart, classTags, edgeOutStart, edgeDst, tagClassStart, tagClasses } = ix;
  // The start class stays unmarked when it is also the target, so a cycle back to it is found.
  if (from !== to) sc.classMark[from] = e;
  sc.classBuf[0] = from;
  let found = false;
  for (let head = 0, tail = 1; head < tail && !found; head++) {
    const u = sc.classBuf[head];
    for (let p = classTagStart[u]; p < classTagStart[u + 1] && !found; p++) {
      const s = classTags[p];
      if (sc.srcMark[s] === e) continue;
      sc.srcMark[s] = e;
      sc.srcFrom[s] = u;
      for (let k = edgeOutStart[s]; k < edgeOutStart[s + 1] && !found; k++) {
        const d = edgeDst[k];
        if (sc.dstMark[d] === e) continue;
        sc.dstMark[d] = e;
        sc.dstFrom[d] = k;
        for (let r = tagClassStart[d]; r < tagClassStart[d + 1]; r++) {
          const c = tagClasses[r];
          if (sc.classMark[c] === e) continue;
          sc.classMark[c] = e;
          sc.classFrom[c] = d;
          if (c === to) {
            found = true;
            break;
          }
          sc.classBuf[tail++] = c;
        }
      }
    }
  }
  if (!found) return null;
  const hops: PathHop[] = [];
  let c = to;
  let vm = t;
  do {
    const d = sc.classFrom[c];
    const k = sc.dstFrom[d];
    const s = ix.edgeSrc[k];
    const prev = sc.srcFrom[s];
    const prevVm = prev === from ? a : ix.classVms[ix.classVmStart[prev]];
    hops.push({
      from: ix.vmIds[prevVm],
      to: ix.vmIds[vm],
      fwId: ix.edgeFwIds.get(k),
      sourceTag: ix.tags[s],
      destTag: ix.tags[d],
    });
    c = prev;
    vm = prevVm;
  } while (c !== from);
  return hops.reverse();
}

/** The VM ids of one shortest chain, attacker first and target last, or null. */
export function attackPath(
  ix: SurfaceIndex,
  attackerId: string,
  targetId: string,
): string[] | null {
  const hops = explainAttackPath(ix, attackerId, targetId);
  return hops ? [hops[0].from, ...hops.map((h) => h.to)] : null;
}

/**
 * The `limit` VMs with the most transitive attackers (then most direct ones, then by vm_id).
 * Throws `ExposureUnavailable` when the build skipped these counts.
 */
export function mostExposed(ix: SurfaceIndex, limit: number): ExposedVm[] {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const ex = ix.exposure;
  if (!ex) throw new ExposureUnavailable(ix.exposureNote ?? 'exposure counts were not computed');
  const out: ExposedVm[] = [];
  for (let i = 0; i < Math.min(limit, ex.order.length); i++) {
    const v = ex.order[i];
    const c = ix.vmClass[v];
    out.push({
      vmId: ix.vmIds[v],
      directAttackers: ex.classDirect[c] - ex.classSelfDirect[c],
      transitiveAttackers: ex.classTransitive[c] - ix.sccNontrivial[ix.classScc[c]],
    });
  }
  return out;
}

export function stats(ix: SurfaceIndex): SurfaceStats {
  let cyclic = 0;
  let largest = 0;
  for (let x = 0; x < ix.sccCount; x++) {
    let vms = 0;
    for (let p = ix.sccClassStart[x]; p < ix.sccClassStart[x + 1]; p++) {
      const c = ix.sccClasses[p];
      vms += ix.classVmStart[c + 1] - ix.classVmStart[c];
    }
    if (vms > 0 && ix.sccNontrivial[x]) cyclic++;
    if (vms > largest) largest = vms;
  }
  return {
    vmCount: ix.vmIds.length,
    ruleCount: ix.ruleCount,
    distinctRuleCount: ix.edgeDst.length,
    tagCount: ix.tags.length,
    classCount: ix.classVmStart.length - 1,
    componentCount: ix.sccCount,
    cyclicVmComponentCount: cyclic,
    largestComponentVmCount: largest,
    exposure: ix.exposure ? 'precomputed' : 'skipped',
    exposureNote: ix.exposureNote,
  };
}
