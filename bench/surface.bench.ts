/**
 * Attack-surface engine at 1k, 10k and 100k VMs (10 rules per VM: 1M rules at 100k): import
 * (JSON parse + validation + index build), stored index size, load time, query latency, memory.
 * Run: `npm run --silent build && node --expose-gc dist/bench/surface.bench.js`.
 * Inventories are generated from a fixed seed, so every run measures the same data.
 *
 * Shapes. "cloud": N VMs with 1-4 tags each out of N/20 tags, where 1% of the tags are broad
 * (an environment, a team: a quarter of all tag picks) and rules pick broad tags 10% of the
 * time; such inventories condense into one big component. "dag": the adversarial opposite, one
 * tag per VM and rules only from a VM's tag to one of the next 50 VMs' tags, so every VM is its
 * own component and attacker sets nest deeply.
 * Each run happens in a child process, so its memory figures are its own: "heap+buffers" is
 * V8 heap plus ArrayBuffers after GC, relative to before the inventory was generated.
 * Set BENCH_SIZES=1000,10000 to run fewer sizes.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { prng } from '../activities/surface/fixtures/oracle';
import { parseInventory, type Inventory } from '../activities/surface/inventory';
import {
  buildSurfaceIndex,
  deserializeIndex,
  serializeIndex,
} from '../activities/surface/surface-index';
import {
  attackers,
  attackPath,
  mostExposed,
  reachableFrom,
  stats,
} from '../activities/surface/surface-queries';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with node --expose-gc for memory figures after garbage collection');
const QUERIES = 1000;

type Shape = 'cloud' | 'dag';

function generate(shape: Shape, n: number, seed: number): string {
  const rnd = prng(seed);
  const pick = (k: number) => Math.floor(rnd() * k);
  const hex = () => pick(0x1000000).toString(16).padStart(6, '0');
  const vms: Array<{ vm_id: string; name: string; tags: string[] }> = [];
  const rules: Array<{ fw_id: string; source_tag: string; dest_tag: string }> = [];
  if (shape === 'cloud') {
    const tagCount = Math.max(10, Math.floor(n / 20));
    const broad = Math.max(3, Math.floor(tagCount / 100));
    const tag = (broadShare: number) => `tag-${rnd() < broadShare ? pick(broad) : pick(tagCount)}`;
    const carried = new Set<string>();
    for (let i = 0; i < n; i++) {
      const tags = new Set<string>();
      const k = 1 + pick(4);
      while (tags.size < k) tags.add(tag(0.25));
      for (const t of tags) carried.add(t);
      vms.push({ vm_id: `vm-${hex()}${i.toString(16)}`, name: `host-${i}`, tags: [...tags] });
    }
    for (let r = 0; r < 10 * n; r++) {
      let s = tag(0.1);
      let d = tag(0.1);
      while (!carried.has(s)) s = tag(0.1);
      while (!carried.has(d)) d = tag(0.1);
      rules.push({ fw_id: `fw-${r.toString(16)}`, source_tag: s, dest_tag: d });
    }
  } else {
    for (let i = 0; i < n; i++) {
      vms.push({ vm_id: `vm-${hex()}${i.toString(16)}`, name: `host-${i}`, tags: [`t${i}`] });
    }
    for (let r = 0; r < 10 * n; r++) {
      const a = pick(n - 1);
      const b = a + 1 + pick(Math.min(n - 1 - a, 50));
      rules.push({ fw_id: `fw-${r.toString(16)}`, source_tag: `t${a}`, dest_tag: `t${b}` });
    }
  }
  return JSON.stringify({ vms, fw_rules: rules });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

function latencies(count: number, fn: (i: number) => unknown) {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return `${percentile(ms, 50).toFixed(2)} / ${percentile(ms, 99).toFixed(2)}`;
}

const mb = (bytes: number) => +Math.max(0, bytes / 1024 / 1024).toFixed(1);

function heapAndBuffers(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function run(shape: Shape, n: number) {
  const baseline = heapAndBuffers();
  let json: string | null = generate(shape, n, 42 + n);
  const jsonBytes = Buffer.byteLength(json);
  let inv: Inventory | null = null;
  const [, parseMs] = time(() => (inv = parseInventory(json)));
  json = null;
  const [built, buildMs] = time(() => buildSurfaceIndex(inv!));
  const withInventory = heapAndBuffers() - baseline;
  if (inv!.vms.length !== n) throw new Error('generator and parser disagree');
  inv = null;
  const indexOnly = heapAndBuffers() - baseline;
  const rss = process.memoryUsage().rss;
  const [bytes, serializeMs] = time(() => serializeIndex(built));
  const [index, loadMs] = time(() => deserializeIndex(bytes));
  const ids = index.vmIds;
  const rnd = prng(7);
  const vm = () => ids[Math.floor(rnd() * ids.length)];
  const direct = latencies(QUERIES, () => attackers(index, vm(), { transitive: false }));
  let answerSize = 0;
  const transitive = latencies(QUERIES, () => {
    answerSize += attackers(index, vm(), { transitive: true }).length;
  });
  const reach = latencies(QUERIES, () => reachableFrom(index, vm(), { transitive: true }));
  const path = latencies(200, () => attackPath(index, vm(), vm()));
  const exposed =
    index.exposure === null ? 'skipped' : latencies(100, () => mostExposed(index, 10));
  const s = stats(index);
  return {
    shape,
    vms: n,
    rules: s.ruleCount,
    'json MB': mb(jsonBytes),
    'parse+validate ms': Math.round(parseMs),
    'build ms': Math.round(buildMs),
    'import ms': Math.round(parseMs + buildMs),
    'stored index MB': mb(bytes.length),
    'serialize ms': Math.round(serializeMs),
    'deserialize ms': Math.round(loadMs),
    'direct p50/p99 ms': direct,
    'transitive p50/p99 ms': transitive,
    'avg transitive answer': Math.round(answerSize / QUERIES),
    'reach (trans.) p50/p99 ms': reach,
    'path p50/p99 ms': path,
    'top10 p50/p99 ms': exposed,
    'heap+buffers, inventory+index MB': mb(withInventory),
    'heap+buffers, index MB': mb(indexOnly),
    'process rss after build MB': mb(rss),
    classes: s.classCount,
    components: s.componentCount,
    'largest component VMs': s.largestComponentVmCount,
    exposure: s.exposure,
  };
}

type Row = ReturnType<typeof run>;

/** One measured run in a fresh process, so memory figures belong to that run alone. */
function isolated(shape: Shape, n: number): Row {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, 'one', shape, String(n)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Row;
}

function main() {
  const [mode, shape, n] = process.argv.slice(2);
  if (mode === 'one') {
    run('cloud', 1000); // warm-up: JIT, not reported
    process.stdout.write(JSON.stringify(run(shape as Shape, Number(n))));
    return;
  }
  const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
  const rows: Row[] = [];
  const started = performance.now();
  for (const shape of ['cloud', 'dag'] as const) {
    for (const n of sizes) {
      rows.push(isolated(shape, n));
      console.error(
        `${shape} ${n}: done at ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  const cols = Object.keys(rows[0]) as (keyof Row)[];
  console.log(
    `Attack-surface engine, node ${process.version}, ${QUERIES} queries per latency figure ` +
      `(path: 200, top10: 100); each run in its own process; memory after GC.`,
  );
  // Transposed: one column per run reads better than 22 columns across.
  const table: Record<string, Record<string, unknown>> = {};
  for (const c of cols) {
    table[c] = Object.fromEntries(rows.map((r) => [`${r.shape} ${r.vms}`, r[c]]));
  }
  console.table(table);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
