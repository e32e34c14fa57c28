/**
 * Attacker counts of every VM, for `mostExposed`, computed once at build time.
 *
 * Counting is the hard part of this engine: the number of VM pairs that can reach each other is
 * ~10^9 at 100k VMs, and exact per-node reachability counting has no known near-linear algorithm,
 * so both counts use word-parallel bitsets and a deterministic work budget. Over budget, the
 * counts are skipped, never approximated; per-VM queries are unaffected.
 *
 * Direct counts. The direct attackers of class Q are the VMs of A(d) for d among Q's tags, where
 * A(d) is the set of classes carrying a source tag of some rule into d. A(d) is built once per
 * dest tag, as a sorted class list when small or as a bitset over "VM slots" when large (slots
 * number VMs class by class, so a class is a contiguous run of bits and a popcount counts VMs).
 * Source tags carried by more than W / 8 classes get their own bitset, so building A(d) ORs
 * words instead of walking long class lists. Then each class counts |union of its A(d)| in one
 * pass over its rows. Work, with W = V / 32 words: about the sum over rules of min(classes of
 * the source, W), plus the sum over classes of (dense rows + 1) * W and of sparse list sizes.
 *
 * Transitive counts. Over the condensation DAG (components numbered so that edges go from higher
 * to lower numbers, i.e. descending order is topological), take the k components holding VMs in
 * chunks of 32 * w; each chunk propagates one bit per source along the DAG in topological order
 * and each VM-holding component adds the VM weight of the bits it received (byte lookup tables,
 * four per word). Work: (k / 32) * (DAG nodes + DAG edges); small for realistic inventories,
 * whose DAG is a few components wide.
 */
import { type ExposureCounts, type SurfaceIndex } from './surface-index.model';

export interface ExposureBudget {
  /** Upper bound on word operations spent on the counts (1-1.5 ns each, measured on x86-64). */
  readonly maxWork: number;
  /** Upper bound on bitset memory held at once. */
  readonly maxBitsetBytes: number;
  /** Width, in 32-bit words, of one transitive propagation pass (memory permitting). */
  readonly maxChunkWords: number;
}

export const DEFAULT_EXPOSURE_BUDGET: ExposureBudget = {
  maxWork: 3e9,
  maxBitsetBytes: 256 * 1024 * 1024,
  maxChunkWords: 1 << 16,
};

export type ExposureResult = ExposureCounts | { readonly skipped: string };

class OverBudget extends Error {}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function setRange(row: Uint32Array, lo: number, hi: number): void {
  for (let b = lo; b < hi; b++) row[b >>> 5] |= 1 << (b & 31);
}

function popcountRow(row: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) n += popcount32(row[i]);
  return n;
}

function popcountOr2(a: Uint32Array, b: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount32(a[i] | b[i]);
  return n;
}

function popcountOr3(a: Uint32Array, b: Uint32Array, c: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount32(a[i] | b[i] | c[i]);
  return n;
}

function orInto(acc: Uint32Array, row: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] |= row[i];
}

// Setting one class's bits costs several times an OR of one word; the ratio only tunes speed.
const HEAVY_RATIO = 8;

function testBit(row: Uint32Array, b: number): boolean {
  return (row[b >>> 5] & (1 << (b & 31))) !== 0;
}

export function computeExposure(index: SurfaceIndex, budget: ExposureBudget): ExposureResult {
  const transitiveWork = transitiveWorkEstimate(index, budget);
  if (transitiveWork > budget.maxWork) {
    return { skipped: overWork('transitive counts', transitiveWork, budget) };
  }
  try {
    const direct = directCounts(index, budget, budget.maxWork - transitiveWork);
    const classTransitive = transitiveCounts(index, budget);
    return { ...direct, classTransitive, order: exposureOrder(index, direct, classTransitive) };
  } catch (err) {
    if (err instanceof OverBudget) return { skipped: err.message };
    throw err;
  }
}

function overWork(what: string, work: number, budget: ExposureBudget): string {
  return `mostExposed counts skipped: ${what} need ~${work.toExponential(2)} word operations, over the budget of ${budget.maxWork.toExponential(2)}`;
}

function directCounts(
  index: SurfaceIndex,
  budget: ExposureBudget,
  maxWork: number,
): { classDirect: Uint32Array; classSelfDirect: Uint8Array } {
  const V = index.vmIds.length;
  const C = index.classVmStart.length - 1;
  const T = index.tags.length;
  const W = Math.max(1, Math.ceil(V / 32));
  const rowBytes = W * 4;
  const { classVmStart, tagClassStart, tagClasses, edgeInStart, edgeIn, edgeSrc } = index;
  const weight = (c: number) => classVmStart[c + 1] - classVmStart[c];
  let work = 0;
  let bitsetBytes = 0;
  const charge = (units: number, bytes = 0) => {
    work += units;
    bitsetBytes += bytes;
    if (work > maxWork) {
      throw new OverBudget(overWork('direct counts', work, { ...budget, maxWork }));
    }
    if (bitsetBytes > budget.maxBitsetBytes) {
      throw new OverBudget(
        `mostExposed counts skipped: direct counts need over ${bitsetBytes} bytes of bitsets, over the limit of ${budget.maxBitsetBytes}`,
      );
    }
  };

  // Bitsets for source tags carried by many classes: ORing a word is several times cheaper than
  // setting one class's bits, so past W / HEAVY_RATIO classes a bitset pays for itself.
  const heavyMin = Math.max(1, Math.floor(W / HEAVY_RATIO));
  const heavy: (Uint32Array | null)[] = new Array<Uint32Array | null>(T).fill(null);
  const isSource = new Uint8Array(T);
  for (let e = 0; e < edgeSrc.length; e++) isSource[edgeSrc[e]] = 1;
  for (let t = 0; t < T; t++) {
    const n = tagClassStart[t + 1] - tagClassStart[t];
    if (!isSource[t] || n <= heavyMin) continue;
    charge(W + n, rowBytes);
    const row = new Uint32Array(W);
    for (let p = tagClassStart[t]; p < tagClassStart[t + 1]; p++) {
      const c = tagClasses[p];
      setRange(row, classVmStart[c], classVmStart[c + 1]);
    }
    heavy[t] = row;
  }

  // A(d) for every dest tag, with its VM count: a bitset when it may hold more than W classes
  // (or has a heavy source), else a sorted class list.
  const dense: (Uint32Array | null)[] = new Array<Uint32Array | null>(T).fill(null);
  const sparse: (Uint32Array | null)[] = new Array<Uint32Array | null>(T).fill(null);
  const rowCount = new Uint32Array(T);
  const stamp = new Uint32Array(C);
  let epoch = 0;
  for (let d = 0; d < T; d++) {
    const lo = edgeInStart[d];
    const hi = edgeInStart[d + 1];
    if (lo === hi || tagClassStart[d + 1] === tagClassStart[d]) continue;
    let anyHeavy = false;
    let upper = 0;
    for (let p = lo; p < hi; p++) {
      const s = edgeSrc[edgeIn[p]];
      if (heavy[s]) anyHeavy = true;
      else upper += tagClassStart[s + 1] - tagClassStart[s];
    }
    if (anyHeavy || upper > W) {
      charge(2 * W + upper, rowBytes);
      const row = new Uint32Array(W);
      for (let p = lo; p < hi; p++) {
        const s = edgeSrc[edgeIn[p]];
        const h = heavy[s];
        if (h) {
          charge(W);
          orInto(row, h);
          continue;
        }
        // Setting bits is idempotent: no need to deduplicate classes here.
        for (let q = tagClassStart[s]; q < tagClassStart[s + 1]; q++) {
          const c = tagClasses[q];
          setRange(row, classVmStart[c], classVmStart[c + 1]);
        }
      }
      dense[d] = row;
      rowCount[d] = popcountRow(row);
      continue;
    }
    charge(upper);
    epoch++;
    const list = new Uint32Array(upper);
    let m = 0;
    let n = 0;
    for (let p = lo; p < hi; p++) {
      const s = edgeSrc[edgeIn[p]];
      for (let q = tagClassStart[s]; q < tagClassStart[s + 1]; q++) {
        const c = tagClasses[q];
        if (stamp[c] === epoch) continue;
        stamp[c] = epoch;
        list[m++] = c;
        n += weight(c);
      }
    }
    rowCount[d] = n;
    sparse[d] = list.slice(0, m).sort();
  }

  // The per-class unions, priced before they run so an over-budget build stops early.
  const { classTagStart, classTags } = index;
  let unionWork = 0;
  for (let c = 0; c < C; c++) {
    let nd = 0;
    let sparseSize = 0;
    for (let p = classTagStart[c]; p < classTagStart[c + 1]; p++) {
      const d = classTags[p];
      if (dense[d]) nd++;
      else if (sparse[d]) sparseSize += sparse[d].length;
    }
    unionWork += 2 + (nd > 1 ? (nd + 1) * W : 0) + sparseSize * (nd + 1);
  }
  charge(unionWork);

  const classDirect = new Uint32Array(C);
  const classSelfDirect = new Uint8Array(C);
  const rows: Uint32Array[] = [];
  const rowTags: number[] = [];
  const lists: Uint32Array[] = [];
  const acc = new Uint32Array(W);
  for (let c = 0; c < C; c++) {
    rows.length = 0;
    rowTags.length = 0;
    lists.length = 0;
    let single = -1;
    for (let p = classTagStart[c]; p < classTagStart[c + 1]; p++) {
      const d = classTags[p];
      const row = dense[d];
      const list = sparse[d];
      if (row) {
        rows.push(row);
        rowTags.push(d);
      } else if (list) lists.push(list);
      else continue;
      single = d;
    }
    const ownSlot = classVmStart[c];
    if (rows.length + lists.length === 0) continue;
    if (rows.length + lists.length === 1) {
      classDirect[c] = rowCount[single];
      const self = rows.length ? testBit(rows[0], ownSlot) : binaryHas(lists[0], c);
      classSelfDirect[c] = self ? 1 : 0;
      continue;
    }
    let n = 0;
    if (rows.length === 1) {
      n = rowCount[rowTags[0]];
    } else if (rows.length === 2) {
      n = popcountOr2(rows[0], rows[1]);
    } else if (rows.length === 3) {
      n = popcountOr3(rows[0], rows[1], rows[2]);
    } else if (rows.length > 3) {
      acc.set(rows[0]);
      for (let r = 1; r < rows.length; r++) orInto(acc, rows[r]);
      n = popcountRow(acc);
    }
    const inDense = (slot: number) => {
      for (const row of rows) if (testBit(row, slot)) return true;
      return false;
    };
    epoch++;
    for (const list of lists) {
      for (let i = 0; i < list.length; i++) {
        const x = list[i];
        if (stamp[x] === epoch) continue;
        stamp[x] = epoch;
        if (!inDense(classVmStart[x])) n += weight(x);
      }
    }
    classDirect[c] = n;
    classSelfDirect[c] = inDense(ownSlot) || stamp[c] === epoch ? 1 : 0;
  }
  return { classDirect, classSelfDirect };
}

function binaryHas(list: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo] === x;
}

function chunkWords(index: SurfaceIndex, budget: ExposureBudget, sources: number): number {
  const S = index.sccCount;
  // Per word of width: one word per component, plus 4 byte tables of 256 u32 for weights.
  const byMemory = Math.floor(budget.maxBitsetBytes / (4 * S + 4096));
  return Math.max(1, Math.min(Math.ceil(sources / 32), byMemory, budget.maxChunkWords));
}

function vmHoldingComponents(index: SurfaceIndex): number {
  let k = 0;
  for (let x = 0; x < index.sccCount; x++) {
    if (index.sccClassStart[x + 1] > index.sccClassStart[x]) k++;
  }
  return k;
}

function transitiveWorkEstimate(index: SurfaceIndex, budget: ExposureBudget): number {
  const k = vmHoldingComponents(index);
  if (k === 0) return 0;
  const w = chunkWords(index, budget, k);
  const chunks = Math.ceil(k / (32 * w));
  return chunks * ((index.sccCount + index.dagOut.length) * w + 1024 * w);
}

function transitiveCounts(index: SurfaceIndex, budget: ExposureBudget): Uint32Array {
  const { sccCount: S, sccClassStart, sccClasses, classVmStart, dagOutStart, dagOut } = index;
  const C = classVmStart.length - 1;
  const sccWeight = new Uint32Array(S);
  for (let x = 0; x < S; x++) {
    for (let p = sccClassStart[x]; p < sccClassStart[x + 1]; p++) {
      const c = sccClasses[p];
      sccWeight[x] += classVmStart[c + 1] - classVmStart[c];
    }
  }
  // Components holding VMs, in topological (descending) order.
  const sources: number[] = [];
  for (let x = S - 1; x >= 0; x--) if (sccWeight[x] > 0) sources.push(x);
  const strictAncestors = new Float64Array(S);
  if (sources.length > 0) {
    const w = chunkWords(index, budget, sources.length);
    const perChunk = 32 * w;
    const bits = new Uint32Array(S * w);
    const any = new Uint8Array(S);
    const chunkPos = new Int32Array(S).fill(-1);
    const table = new Uint32Array(w * 4 * 256);
    for (let first = 0; first < sources.length; first += perChunk) {
      const chunk = sources.slice(first, first + perChunk);
      const top = chunk[0];
      bits.fill(0, 0, (top + 1) * w);
      any.fill(0, 0, top + 1);
      chunk.forEach((x, j) => {
        bits[x * w + (j >>> 5)] |= 1 << (j & 31);
        any[x] = 1;
        chunkPos[x] = j;
      });
      // table[(bytePosition << 8) | byteValue] = VM weight of the sources that byte encodes.
      for (let p = 0; p < w * 4; p++) {
        const base = p << 8;
        table[base] = 0;
        for (let b = 1; b < 256; b++) {
          const j = p * 8 + (31 - Math.clz32(b & -b));
          table[base + b] =
            table[base + (b & (b - 1))] + (j < chunk.length ? sccWeight[chunk[j]] : 0);
        }
      }
      for (let u = top; u >= 0; u--) {
        if (!any[u]) continue;
        const rowU = u * w;
        if (sccWeight[u] > 0) {
          let sum = 0;
          for (let i = 0; i < w; i++) {
            const x = bits[rowU + i];
            if (x === 0) continue;
            const base = i << 10;
            sum +=
              table[base | (x & 0xff)] +
              table[base | 0x100 | ((x >>> 8) & 0xff)] +
              table[base | 0x200 | ((x >>> 16) & 0xff)] +
              table[base | 0x300 | (x >>> 24)];
          }
          // A component's own bit is not an ancestor; cyclic components are added below.
          if (chunkPos[u] >= 0) sum -= sccWeight[u];
          strictAncestors[u] += sum;
        }
        for (let q = dagOutStart[u]; q < dagOutStart[u + 1]; q++) {
          const rowV = dagOut[q] * w;
          for (let i = 0; i < w; i++) bits[rowV + i] |= bits[rowU + i];
          any[dagOut[q]] = 1;
        }
      }
      for (const x of chunk) chunkPos[x] = -1;
    }
  }
  const classTransitive = new Uint32Array(C);
  for (let c = 0; c < C; c++) {
    const x = index.classScc[c];
    classTransitive[c] = strictAncestors[x] + (index.sccNontrivial[x] ? sccWeight[x] : 0);
  }
  return classTransitive;
}

function exposureOrder(
  index: SurfaceIndex,
  direct: { classDirect: Uint32Array; classSelfDirect: Uint8Array },
  classTransitive: Uint32Array,
): Uint32Array {
  const V = index.vmIds.length;
  const vmDirect = new Uint32Array(V);
  const vmTransitive = new Uint32Array(V);
  for (let v = 0; v < V; v++) {
    const c = index.vmClass[v];
    vmDirect[v] = direct.classDirect[c] - direct.classSelfDirect[c];
    vmTransitive[v] = classTransitive[c] - index.sccNontrivial[index.classScc[c]];
  }
  const order = new Uint32Array(V);
  for (let v = 0; v < V; v++) order[v] = v;
  return order.sort(
    (a, b) => vmTransitive[b] - vmTransitive[a] || vmDirect[b] - vmDirect[a] || a - b,
  );
}
