/**
 * DNS inventory scanner against the lab DNS server on loopback: latency per scan (7 queries)
 * and throughput at several concurrencies. Run: `npm run bench:dns`.
 * It measures Perimeter's side (c-ares resolver, result shaping, target guard), not the internet.
 */
import { performance } from 'node:perf_hooks';
import { scanDnsInventory } from '../activities/dns/dns-inventory.scanner';
import { startLab } from '../lab/lab';
import { createScannerResolver } from '../libs/net/scanner-resolver';

const NAMES = [
  'good.perimeter.test',
  'nomail.perimeter.test',
  'mixed.perimeter.test',
  'nope.good.perimeter.test',
];
const SCANS = Number(process.env.BENCH_SCANS ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(concurrency: number, servers: string[]) {
  const resolver = createScannerResolver({ servers, timeoutMs: 2000, tries: 2 });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < SCANS) {
        const name = NAMES[next++ % NAMES.length];
        const t0 = performance.now();
        const result = await scanDnsInventory(name, resolver, { allowPrivateTargets: true });
        if (!result.complete) throw new Error(`incomplete answers for ${name}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    scans: SCANS,
    'scans/s': Math.round(SCANS / seconds),
    'p50 ms': +percentile(latencies, 50).toFixed(2),
    'p99 ms': +percentile(latencies, 99).toFixed(2),
    'max ms': +latencies[latencies.length - 1].toFixed(2),
  };
}

async function main() {
  const lab = await startLab();
  try {
    await run(4, lab.resolvers); // warm-up
    const rows = [];
    for (const c of [1, 10, 50]) rows.push(await run(c, lab.resolvers));
    console.log(
      `DNS inventory scanner (7 record types per scan) against the lab DNS server, node ${process.version}`,
    );
    console.table(rows);
  } finally {
    await lab.close();
  }
}

void main();
