/**
 * The shape of a surface index: what `buildSurfaceIndex` computes, what `serializeIndex` stores
 * (the "stored" part) and what is re-derived, in linear time, when an index is built or read
 * back (the "derived" part). See surface-index.ts for what the arrays mean for the algorithm.
 *
 * Numbering, everywhere:
 *   - VMs are numbered in ascending `vm_id` order (UTF-16 code-unit order), so an ascending list
 *     of VM numbers is a list sorted by id, with no string sort at query time.
 *   - A class is a set of VMs with identical tag sets; classes are numbered by their first VM.
 *   - Tags are numbered in ascending tag order; an edge is a distinct (source tag, dest tag) pair
 *     of the firewall rules, numbered in ascending (source, dest) order.
 *   - Components (SCCs) are those of the class/tag graph described in surface-index.ts, numbered
 *     so that every condensation edge goes from a higher number to a lower one.
 * CSR ("compressed sparse row"): row r of a relation is `items[start[r] .. start[r + 1])`.
 */
import { type StringTable } from './string-table';

/** Precomputed attacker counts for `mostExposed`, per class (every VM of a class shares them). */
export interface ExposureCounts {
  /** VMs with a rule into the class, the class's own VMs included when it reaches itself. */
  readonly classDirect: Uint32Array;
  /** 1 when a class reaches itself in one hop (it carries both ends of some rule). */
  readonly classSelfDirect: Uint8Array;
  /** VMs reaching the class through any chain, its own VMs included when it is on a cycle. */
  readonly classTransitive: Uint32Array;
  /** All VM numbers, most exposed first (transitive desc, direct desc, vm_id asc). */
  readonly order: Uint32Array;
}

export interface SurfaceIndexStored {
  readonly vmIds: readonly string[];
  readonly vmNames: readonly string[];
  readonly tags: readonly string[];
  /** Firewall rules in the inventory, duplicates (same source and dest tag) included. */
  readonly ruleCount: number;
  readonly classVmStart: Uint32Array;
  /** VM numbers of each class, ascending; a permutation of all VMs. */
  readonly classVms: Uint32Array;
  readonly classTagStart: Uint32Array;
  /** Tag numbers of each class, ascending. */
  readonly classTags: Uint32Array;
  /** Edges out of each source tag (CSR over tags); edge e goes to tag `edgeDst[e]`. */
  readonly edgeOutStart: Uint32Array;
  readonly edgeDst: Uint32Array;
  /** For each edge, the smallest fw_id among the rules it stands for. */
  readonly edgeFwIds: StringTable;
  readonly sccCount: number;
  readonly classScc: Uint32Array;
  /** 1 when a component contains a cycle, so its classes reach themselves. */
  readonly sccNontrivial: Uint8Array;
  /** Condensation edges (CSR over components), each from a higher number to a lower one. */
  readonly dagOutStart: Uint32Array;
  readonly dagOut: Uint32Array;
  /** Null when the build skipped them (over budget); `exposureNote` says why. */
  readonly exposure: ExposureCounts | null;
  readonly exposureNote: string | null;
}

export interface SurfaceIndexDerived {
  readonly vmClass: Uint32Array;
  readonly tagClassStart: Uint32Array;
  /** Classes carrying each tag, ascending. */
  readonly tagClasses: Uint32Array;
  readonly edgeSrc: Uint32Array;
  /** Edges into each dest tag (CSR over tags), as edge numbers in ascending source order. */
  readonly edgeInStart: Uint32Array;
  readonly edgeIn: Uint32Array;
  readonly sccClassStart: Uint32Array;
  readonly sccClasses: Uint32Array;
  readonly dagInStart: Uint32Array;
  readonly dagIn: Uint32Array;
}

/** Everything the queries need. Treat as opaque outside activities/surface. */
export type SurfaceIndex = SurfaceIndexStored & SurfaceIndexDerived;

/**
 * Inverts a CSR relation rows -> items (items < itemCount). Each inverted row lists, ascending,
 * the rows that point at it, or with `positions` the positions in `items` that do.
 */
export function invertCsr(
  start: Uint32Array,
  items: Uint32Array,
  itemCount: number,
  positions = false,
): { start: Uint32Array; items: Uint32Array } {
  const invStart = new Uint32Array(itemCount + 1);
  for (let i = 0; i < items.length; i++) invStart[items[i] + 1]++;
  for (let i = 0; i < itemCount; i++) invStart[i + 1] += invStart[i];
  const fill = invStart.slice(0, itemCount);
  const invItems = new Uint32Array(items.length);
  const rows = start.length - 1;
  for (let r = 0; r < rows; r++) {
    for (let p = start[r]; p < start[r + 1]; p++) invItems[fill[items[p]]++] = positions ? p : r;
  }
  return { start: invStart, items: invItems };
}

/** Adds the derived arrays. The stored part must already be consistent (built or validated). */
export function completeIndex(stored: SurfaceIndexStored): SurfaceIndex {
  const vmCount = stored.vmIds.length;
  const classCount = stored.classVmStart.length - 1;
  const tagCount = stored.tags.length;

  const vmClass = new Uint32Array(vmCount);
  for (let c = 0; c < classCount; c++) {
    for (let p = stored.classVmStart[c]; p < stored.classVmStart[c + 1]; p++) {
      vmClass[stored.classVms[p]] = c;
    }
  }
  const tagClasses = invertCsr(stored.classTagStart, stored.classTags, tagCount);
  const edgeSrc = new Uint32Array(stored.edgeDst.length);
  for (let t = 0; t < tagCount; t++) {
    edgeSrc.fill(t, stored.edgeOutStart[t], stored.edgeOutStart[t + 1]);
  }
  const edgeIn = invertCsr(stored.edgeOutStart, stored.edgeDst, tagCount, true);
  const classRows = new Uint32Array(classCount + 1);
  for (let c = 0; c <= classCount; c++) classRows[c] = c;
  const sccClasses = invertCsr(classRows, stored.classScc, stored.sccCount);
  const dagIn = invertCsr(stored.dagOutStart, stored.dagOut, stored.sccCount);
  return {
    ...stored,
    vmClass,
    tagClassStart: tagClasses.start,
    tagClasses: tagClasses.items,
    edgeSrc,
    edgeInStart: edgeIn.start,
    edgeIn: edgeIn.items,
    sccClassStart: sccClasses.start,
    sccClasses: sccClasses.items,
    dagInStart: dagIn.start,
    dagIn: dagIn.items,
  };
}
