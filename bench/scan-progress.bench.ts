/**
 * Live progress fan-out: how long after a progress write commits until every subscriber hears it,
 * with subscribers spread over two "API processes" (two PgPubSub instances, each one LISTEN
 * connection) on embedded PostgreSQL. Each write is a real `markScannerRunning` /
 * `upsertScanResult` (the trigger NOTIFYs in its transaction). Measures the pub/sub path only, not
 * the GraphQL re-read each subscription then does.
 * Run: `npm run bench:scan-progress` (BENCH_SUBSCRIBERS per process, BENCH_WRITES to change it).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DomainScanners } from '../libs/contracts';
import {
  createDataSource,
  createDomainScan,
  createOrganisation,
  markScannerRunning,
  PgPubSub,
  pgWakeups,
  runMigrations,
  SCAN_PROGRESS_CHANNEL,
  upsertScanResult,
} from '../libs/db';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { freePort } from '../libs/embedded/process-utils';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 500);
const WRITES = Number(process.env.BENCH_WRITES ?? 200);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const dataDir = path.join(tmpdir(), `perimeter-bench-pg-${randomBytes(4).toString('hex')}`);
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
  const ds = await createDataSource(pg.url).initialize();
  const processes = [new PgPubSub(pg.url), new PgPubSub(pg.url)];
  try {
    await runMigrations(ds);
    const org = await createOrganisation(ds, { slug: 'bench', name: 'Bench' });
    const { scan } = await createDomainScan(ds, {
      organisationId: org.id,
      domain: { ascii: 'bench.example.com', unicode: 'bench.example.com' },
      requestedBy: null,
      scanners: [...DomainScanners],
    });
    const mine = (payload: string | null) =>
      payload === null || (JSON.parse(payload) as { scanId: string }).scanId === scan.id;

    // Every subscriber waits for its next wake-up and reports when it came.
    let heard = 0;
    let allHeard: () => void = () => undefined;
    const wakeups = [];
    for (const p of processes) {
      for (let i = 0; i < SUBSCRIBERS; i++)
        wakeups.push(await pgWakeups(p, SCAN_PROGRESS_CHANNEL, mine));
    }
    let running = true;
    const loops = wakeups.map(async (w) => {
      while (running && (await w.wait())) {
        if (++heard === wakeups.length) allHeard();
      }
    });

    const latencies: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      heard = 0;
      const everyone = new Promise<void>((r) => (allHeard = r));
      const scanner = DomainScanners[i % DomainScanners.length]!;
      const start = performance.now();
      if (i % 2 === 0) await markScannerRunning(ds, scan.id, scanner, 1);
      else {
        const now = new Date();
        await upsertScanResult(ds, {
          scanId: scan.id,
          scanner,
          status: 'completed',
          data: {},
          error: null,
          attempt: 1,
          startedAt: now,
          finishedAt: now,
        });
      }
      await everyone;
      latencies.push(performance.now() - start);
    }
    running = false;
    for (const w of wakeups) await w.close();
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    console.table({
      'progress write → every subscriber heard it': {
        subscribers: wakeups.length,
        processes: processes.length,
        writes: WRITES,
        'p50 ms': +percentile(latencies, 50).toFixed(2),
        'p95 ms': +percentile(latencies, 95).toFixed(2),
        'max ms': +latencies.at(-1)!.toFixed(2),
      },
    });
  } finally {
    for (const p of processes) await p.close();
    await ds.destroy();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
