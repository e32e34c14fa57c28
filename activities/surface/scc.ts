/**
 * Strongly connected components of a graph in CSR form (row `v` is `adj[start[v] .. start[v+1])`),
 * by Tarjan's algorithm with an explicit stack: a recursive version overflows the call stack on
 * graphs with ~10^4 nodes in a chain, and inventories have 10^5 and more.
 *
 * Components are numbered in the order Tarjan completes them, which is a reverse topological
 * order of the condensation: every edge between two components goes from a higher number to a
 * lower one. Callers rely on that (it is also how a stored condensation is checked to be acyclic).
 */
export interface SccResult {
  readonly count: number;
  /** Component of each node. */
  readonly sccOf: Uint32Array;
  /** Number of nodes in each component. */
  readonly size: Uint32Array;
}

export function stronglyConnectedComponents(start: Uint32Array, adj: Uint32Array): SccResult {
  const n = start.length - 1;
  const UNSEEN = 0xffffffff;
  const order = new Uint32Array(n).fill(UNSEEN);
  const low = new Uint32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Uint32Array(n);
  const callNode = new Uint32Array(n);
  const callEdge = new Uint32Array(n);
  const sccOf = new Uint32Array(n);
  const sizes: number[] = [];
  let sp = 0;
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (order[root] !== UNSEEN) continue;
    let csp = 0;
    order[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    callNode[csp] = root;
    callEdge[csp] = start[root];
    csp++;
    while (csp > 0) {
      const v = callNode[csp - 1];
      const e = callEdge[csp - 1];
      if (e < start[v + 1]) {
        callEdge[csp - 1] = e + 1;
        const w = adj[e];
        if (order[w] === UNSEEN) {
          order[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[csp] = w;
          callEdge[csp] = start[w];
          csp++;
        } else if (onStack[w] && order[w] < low[v]) {
          low[v] = order[w];
        }
        continue;
      }
      csp--;
      if (low[v] === order[v]) {
        const id = sizes.length;
        let size = 0;
        let x: number;
        do {
          x = stack[--sp];
          onStack[x] = 0;
          sccOf[x] = id;
          size++;
        } while (x !== v);
        sizes.push(size);
      }
      if (csp > 0) {
        const parent = callNode[csp - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
    }
  }
  return { count: sizes.length, sccOf, size: Uint32Array.from(sizes) };
}
