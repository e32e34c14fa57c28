/**
 * The attack-surface index: everything queries need, precomputed from a validated inventory.
 *
 * The question. VM A directly reaches VM B (A != B) when some rule s -> d has s among A's tags and
 * d among B's. A attacks V transitively when a chain of such hops leads from A to V. Materialising
 * the VM graph is out of the question: at 100k VMs, 5k tags and 1M rules it has ~10^9 edges.
 *
 * The reduction.
 *  1. Tag-set classes. VMs with identical tag sets have identical neighbourhoods, so they collapse
 *     into one class node (the only difference, "A != B", is handled at the end).
 *  2. A tripartite graph G with three kinds of node: classes c, "source" tag nodes s+ and "dest"
 *     tag nodes d-. Edges: c -> t+ for every tag t of c; s+ -> d- for every distinct rule s -> d;
 *     d- -> c for every class c carrying d. |G| = 2 * (tag incidences of classes) + distinct rules.
 *     One class hop c -> c' is exactly a path c -> s+ -> d- -> c'. (Tags need two nodes: with one,
 *     c -> t -> c' would wrongly connect two classes that merely share a tag.)
 *  3. Claim: for VMs A != V, A reaches V through some chain iff G has a non-empty path from
 *     class(A) to class(V). Only "if" needs thought: take a shortest such path. Its classes are
 *     pairwise distinct except that the first may equal the last (class(A) = class(V)). Pick any VM
 *     in each intermediate class: consecutive VMs are then in different classes, or are A and V
 *     themselves, so every hop is a legal hop between two different VMs. The same argument makes a
 *     shortest class path a shortest VM chain (attackPath), and shows that a VM is never its own
 *     attacker while the other VMs of a class on a cycle are.
 *  4. Strongly connected components of G (iterative Tarjan) and the condensation DAG. A non-empty
 *     path c => c' exists iff scc(c) reaches scc(c') in the DAG by at least one edge, or they are
 *     the same component and it has a cycle (size > 1: G, being tripartite, has no self-loops;
 *     a rule x -> x is the 3-cycle c -> x+ -> x- -> c). Realistic inventories condense into one
 *     big component plus a fringe, so the DAG is small; adversarial ones (a DAG of 10^5 classes)
 *     keep it at most |G| nodes and edges.
 *
 * Why per-query traversal rather than a precomputed closure: a reachability matrix costs S^2 bits
 * (1.25 GB for 10^5 components), while a BFS over the reversed condensation costs O(ancestors +
 * their edges + answer) and answers the common case in milliseconds.
 *
 * Costs. Build: O(V log V + R log R + |G|) time and O(V + R + |G|) memory (V VMs, R rules), plus
 * the budgeted exposure counts (exposure.ts). Queries: see surface-queries.ts.
 */
import { computeExposure, DEFAULT_EXPOSURE_BUDGET, type ExposureBudget } from './exposure';
import { type Inventory } from './inventory';
import { stronglyConnectedComponents } from './scc';
import { StringTable } from './string-table';
import {
  completeIndex,
  invertCsr,
  type SurfaceIndex,
  type SurfaceIndexStored,
} from './surface-index.model';

export type {
  ExposureCounts,
  SurfaceIndex,
  SurfaceIndexDerived,
  SurfaceIndexStored,
} from './surface-index.model';
export type { ExposureBudget } from './exposure';
export { DEFAULT_EXPOSURE_BUDGET } from './exposure';
export { deserializeIndex, InvalidSurfaceIndex, serializeIndex } from './surface-index.codec';

export interface BuildOptions {
  /** Limits for the `mostExposed` precomputation; over them, it is skipped (never approximated). */
  readonly exposure?: Partial<ExposureBudget>;
}

/**
 * Builds the index of a validated inventory (from `parseInventory`; a duplicate vm_id or a rule
 * naming an uncarried tag is a programming error here). Deterministic: the same VMs and rules,
 * in any order, give the same index and the same serialised bytes.
 */
export function buildSurfaceIndex(inv: Inventory, options: BuildOptions = {}): SurfaceIndex {
  // Default sort compares UTF-16 code units natively, much faster than a comparator callback.
  const vmIds = inv.vms.map((vm) => vm.vmId).sort();
  const position = new Map<string, number>();
  inv.vms.forEach((vm, i) => position.set(vm.vmId, i));
  if (position.size !== vmIds.length) {
    throw new Error('duplicate vm_id in inventory: validate it with parseInventory first');
  }
  const vmOrder = vmIds.map((id) => position.get(id)!);
  const vmNames = vmOrder.map((i) => inv.vms[i].name);

  const tagSet = new Set<string>();
  for (const vm of inv.vms) for (const t of vm.tags) tagSet.add(t);
  const tags = [...tagSet].sort();
  const tagNo = new Map<string, number>();
  tags.forEach((t, i) => tagNo.set(t, i));

  // Classes, numbered by their first VM in id order; members are then ascending by construction.
  const classOf = new Map<string, number>();
  const classTagLists: Uint32Array[] = [];
  const classMembers: number[][] = [];
  for (let v = 0; v < vmOrder.length; v++) {
    const vmTags = inv.vms[vmOrder[v]].tags;
    const all = new Uint32Array(vmTags.length);
    for (let j = 0; j < vmTags.length; j++) all[j] = tagNo.get(vmTags[j])!;
    all.sort();
    // Tag sets, not lists: a tag listed twice (possible outside parseInventory) counts once.
    let k = 0;
    for (let j = 0; j < all.length; j++) if (j === 0 || all[j] !== all[j - 1]) all[k++] = all[j];
    const list = all.subarray(0, k);
    const key = list.join(',');
    let c = classOf.get(key);
    if (c === undefined) {
      c = classTagLists.length;
      classOf.set(key, c);
      classTagLists.push(list);
      classMembers.push([]);
    }
    classMembers[c].push(v);
  }
  const classCount = classTagLists.length;
  const classVmStart = new Uint32Array(classCount + 1);
  const classVms = new Uint32Array(vmIds.length);
  const classTagStart = new Uint32Array(classCount + 1);
  let incidences = 0;
  for (let c = 0; c < classCount; c++) incidences += classTagLists[c].length;
  const classTags = new Uint32Array(incidences);
  for (let c = 0, pv = 0, pt = 0; c < classCount; c++) {
    for (const v of classMembers[c]) classVms[pv++] = v;
    classVmStart[c + 1] = pv;
    classTags.set(classTagLists[c], pt);
    pt += classTagLists[c].length;
    classTagStart[c + 1] = pt;
  }

  const edges = distinctEdges(inv, tagNo, tags.length);

  const partial: SurfaceIndexStored = {
    vmIds,
    vmNames,
    tags,
    ruleCount: inv.fwRules.length,
    classVmStart,
    classVms,
    classTagStart,
    classTags,
    edgeOutStart: edges.start,
    edgeDst: edges.dst,
    edgeFwIds: StringTable.from(edges.fwIds),
    ...condense(classCount, tags.length, classTagStart, classTags, edges.start, edges.dst),
    exposure: null,
    exposureNote: null,
  };
  const index = completeIndex(partial);
  const budget = { ...DEFAULT_EXPOSURE_BUDGET, ...options.exposure };
  const exposure = computeExposure(index, budget);
  return 'skipped' in exposure
    ? { ...index, exposureNote: exposure.skipped }
    : { ...index, exposure, exposureNote: null };
}

/** Stable counting sort of `order` by `key`, keys below `keyCount`: O(n + keyCount). */
function countingSort(order: Uint32Array, key: Uint32Array, keyCount: number): Uint32Array {
  const start = new Uint32Array(keyCount + 1);
  for (let i = 0; i < order.length; i++) start[key[order[i]] + 1]++;
  for (let k = 0; k < keyCount; k++) start[k + 1] += start[k];
  const out = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) out[start[key[order[i]]]++] = order[i];
  return out;
}

/**
 * Distinct (source, dest) tag pairs, ascending, each with the smallest fw_id of its rules:
 * two stable counting sorts (by dest, then by source) and one pass, O(R + T).
 */
function distinctEdges(inv: Inventory, tagNo: Map<string, number>, tagCount: number) {
  const rules = inv.fwRules;
  const src = new Uint32Array(rules.length);
  const dst = new Uint32Array(rules.length);
  const identity = new Uint32Array(rules.length);
  for (let r = 0; r < rules.length; r++) {
    const s = tagNo.get(rules[r].sourceTag);
    const d = tagNo.get(rules[r].destTag);
    if (s === undefined || d === undefined) {
      throw new Error('a rule names a tag no VM carries: validate with parseInventory first');
    }
    src[r] = s;
    dst[r] = d;
    identity[r] = r;
  }
  const order = countingSort(countingSort(identity, dst, tagCount), src, tagCount);
  const start = new Uint32Array(tagCount + 1);
  const outDst: number[] = [];
  const fwIds: string[] = [];
  for (let i = 0; i < order.length;) {
    const s = src[order[i]];
    const d = dst[order[i]];
    let fwId = rules[order[i]].fwId;
    for (i++; i < order.length && src[order[i]] === s && dst[order[i]] === d; i++) {
      if (rules[order[i]].fwId < fwId) fwId = rules[order[i]].fwId;
    }
    outDst.push(d);
    fwIds.push(fwId);
    start[s + 1] = outDst.length;
  }
  // Sources without rules got no entry above: carry the running end forward.
  for (let t = 0; t < tagCount; t++) if (start[t + 1] < start[t]) start[t + 1] = start[t];
  return { start, dst: Uint32Array.from(outDst), fwIds };
}

/**
 * Builds G (see the file header) in CSR form, finds its components and returns what the index
 * keeps of them: the component of each class, which components are cyclic, and the condensation.
 * Node numbering: classes [0, C), source tags C + t, dest tags C + T + t.
 */
function condense(
  classCount: number,
  tagCount: number,
  classTagStart: Uint32Array,
  classTags: Uint32Array,
  edgeOutStart: Uint32Array,
  edgeDst: Uint32Array,
) {
  const C = classCount;
  const T = tagCount;
  const n = C + 2 * T;
  const carriers = invertCsr(classTagStart, classTags, T);
  const start = new Uint32Array(n + 1);
  for (let c = 0; c < C; c++) start[c + 1] = start[c] + (classTagStart[c + 1] - classTagStart[c]);
  for (let t = 0; t < T; t++) {
    start[C + t + 1] = start[C + t] + (edgeOutStart[t + 1] - edgeOutStart[t]);
  }
  for (let t = 0; t < T; t++) {
    start[C + T + t + 1] = start[C + T + t] + (carriers.start[t + 1] - carriers.start[t]);
  }
  const adj = new Uint32Array(start[n]);
  let p = 0;
  for (let i = 0; i < classTags.length; i++) adj[p++] = C + classTags[i];
  for (let e = 0; e < edgeDst.length; e++) adj[p++] = C + T + edgeDst[e];
  for (let i = 0; i < carriers.items.length; i++) adj[p++] = carriers.items[i];

  const scc = stronglyConnectedComponents(start, adj);
  const S = scc.count;
  const sccNontrivial = new Uint8Array(S);
  for (let x = 0; x < S; x++) sccNontrivial[x] = scc.size[x] > 1 ? 1 : 0;
  const classScc = scc.sccOf.slice(0, C);

  // Condensation edges, deduplicated with a per-component stamp, rows ascending.
  const members = invertCsr(identityRows(n), scc.sccOf, S);
  const stamp = new Uint32Array(S).fill(0xffffffff);
  const dagOutStart = new Uint32Array(S + 1);
  const out: number[] = [];
  for (let x = 0; x < S; x++) {
    const rowStart = out.length;
    for (let m = members.start[x]; m < members.start[x + 1]; m++) {
      const u = members.items[m];
      for (let q = start[u]; q < start[u + 1]; q++) {
        const y = scc.sccOf[adj[q]];
        if (y !== x && stamp[y] !== x) {
          stamp[y] = x;
          out.push(y);
        }
      }
    }
    if (out.length - rowStart > 1) {
      const row = out.slice(rowStart).sort((a, b) => a - b);
      for (let i = 0; i < row.length; i++) out[rowStart + i] = row[i];
    }
    dagOutStart[x + 1] = out.length;
  }
  return {
    sccCount: S,
    classScc,
    sccNontrivial,
    dagOutStart,
    dagOut: Uint32Array.from(out),
  };
}

function identityRows(n: number): Uint32Array {
  const rows = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) rows[i] = i;
  return rows;
}
