/**
 * Mail and DNS posture checks over >= 1,000 lab domains of mixed posture, two ways:
 *   1. the CLI engine, in-process (`runDomainChecks`);
 *   2. through Temporal: a real dev server, embedded PostgreSQL and a worker, one `domainScan`
 *      workflow per domain with every check as its own activity and result row.
 * Prints domains per second and peak RSS for each. Run: `npm run bench:mail-dns`
 * (BENCH_DOMAINS, BENCH_CONCURRENCY to change the load).
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { runDomainChecks } from '../activities/domain-report';
import { workerFactories } from '../apps/workers/worker-factories';
import { parseZoneFile, startLabDnsServer, type Zone } from '../lab/dns';
import { startLabHttpsServer } from '../lab/https/https-server';
import { createLabCa } from '../lab/https/lab-ca';
import { labHttpsSites } from '../lab/https/sites';
import { loadConfig } from '../libs/config/config';
import { resolveScanners, TaskQueues, type DomainScanInput } from '../libs/contracts';

/**
 * The mail and DNS scanners (the ten this benchmark has always measured): the web, TLS and SMTP
 * scanners have benchmarks of their own (bench:web, bench:tls).
 */
const DomainScanners = resolveScanners(['dns', 'mail']).filter((s) => s !== 'smtp');
import { createDataSource, createDomainScan, createOrganisation, runMigrations } from '../libs/db';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { projectRoot } from '../libs/embedded/paths';
import { freePort } from '../libs/embedded/process-utils';
import { startTemporalDevServer } from '../libs/embedded/temporal-dev-server';
import { createScannerResolver } from '../libs/net/scanner-resolver';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
// Postures worth repeating: one per family, good and broken.
const POSTURES =
  /^(good|nomail|(dmarc|spf|dkim|mx|mtasts|caa|dnssec|tlsrpt|bimi)-[a-z0-9-]+)\.perimeter\.test\.zone$/;

/** Every lab posture zone, plus copies under new names until there are DOMAINS domains. */
async function labZones(): Promise<{
  zones: Zone[];
  domains: string[];
  copies: Array<{ copy: string; origin: string }>;
}> {
  const dir = path.join(projectRoot(), 'lab', 'zones');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.zone')).sort();
  const texts = new Map<string, string>();
  for (const f of files)
    texts.set(f.replace(/\.zone$/, ''), await readFile(path.join(dir, f), 'utf8'));
  const zones = [...texts].map(([origin, text]) =>
    parseZoneFile(text, { fileName: origin, origin }),
  );
  // Postures whose HTTPS hosts never answer time out by design: they measure timeouts, not
  // throughput, so they are not copied.
  const templates = [...texts]
    .filter(([origin]) => !/timeout|slow/.test(origin))
    .filter(([origin]) => POSTURES.test(`${origin}.zone`) && !origin.includes('.dnssec-parent.'));
  const domains: string[] = [];
  const copies: Array<{ copy: string; origin: string }> = [];
  for (let i = 0; domains.length < DOMAINS; i++) {
    const [origin, text] = templates[i % templates.length];
    const copy = `c${Math.floor(i / templates.length)}-${origin}`;
    zones.push(parseZoneFile(text.split(origin).join(copy), { fileName: copy, origin: copy }));
    domains.push(copy);
    copies.push({ copy, origin });
  }
  return { zones, domains, copies };
}

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { zones, domains, copies } = await labZones();
  const dns = await startLabDnsServer({ zones });
  // The lab's HTTPS sites (MTA-STS policies, BIMI files), copied along with their zones.
  const baseSites = labHttpsSites(createLabCa());
  const sites = { ...baseSites };
  for (const { copy, origin } of copies) {
    for (const [host, site] of Object.entries(baseSites)) {
      if (host.endsWith(origin)) sites[host.slice(0, -origin.length) + copy] = site;
    }
  }
  const https = await startLabHttpsServer({ sites });
  const caFile = path.join(tmpdir(), `perimeter-bench-ca-${randomBytes(4).toString('hex')}.pem`);
  await writeFile(caFile, https.caPem);
  const resolvers = [dns.address];
  const rows: Array<Record<string, string | number>> = [];
  const stops: Array<() => Promise<void>> = [
    () => dns.close(),
    () => https.close(),
    () => rm(caFile, { force: true }),
  ];
  try {
    // 1. The CLI engine.
    const resolver = createScannerResolver({ servers: resolvers, timeoutMs: 2000, tries: 3 });
    const ctx = {
      resolver,
      allowPrivateTargets: true,
      extraPublicSuffixes: ['perimeter.test'],
      https: { port: https.port, extraCaPems: [https.caPem] },
    };
    let unknown = 0;
    let memory = peakRss();
    let t0 = performance.now();
    await pool(domains, CONCURRENCY, async (d) => {
      const report = await runDomainChecks(d, DomainScanners, ctx);
      unknown += report.checks.filter((c) => c.status === 'unknown').length;
    });
    let seconds = (performance.now() - t0) / 1000;
    rows.push({
      path: 'CLI engine (in-process)',
      domains: domains.length,
      'domains/s': +(domains.length / seconds).toFixed(1),
      seconds: +seconds.toFixed(1),
      'peak RSS MB': Math.round(memory.stop() / 2 ** 20),
      'unknown checks': unknown,
    });

    // 2. Temporal: real server, real Postgres, an in-process worker.
    const dataDir = path.join(tmpdir(), `perimeter-bench-pg-${randomBytes(4).toString('hex')}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
    stops.push(async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const temporal = await startTemporalDevServer({ port: await freePort() });
    stops.push(temporal.stop);
    const ds = await createDataSource(pg.url).initialize();
    stops.push(() => ds.destroy());
    await runMigrations(ds);
    const organisation = await createOrganisation(ds, { slug: 'bench', name: 'Bench' });
    const config = loadConfig({
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      SCANNER_RESOLVERS: resolvers.join(','),
      SCANNER_DNS_TIMEOUT_MS: '2000',
      SCANNER_DNS_TRIES: '3',
      ALLOW_PRIVATE_TARGETS: 'true',
      SCANNER_EXTRA_PUBLIC_SUFFIXES: 'perimeter.test',
      SCANNER_EXTRA_CA_FILES: caFile,
      SCANNER_HTTPS_PORT: String(https.port),
    });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker = await workerFactories[TaskQueues.domainScans]({
      config,
      connection,
      dataSource: ds,
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await connection.close();
    });
    const client = new Client({
      connection: await Connection.connect({ address: temporal.address }),
    });
    stops.push(() => client.connection.close());

    unknown = 0;
    memory = peakRss();
    t0 = performance.now();
    await pool(domains, CONCURRENCY, async (d) => {
      const { scan } = await createDomainScan(ds, {
        organisationId: organisation.id,
        domain: { ascii: d, unicode: d },
        requestedBy: null,
        scanners: [...DomainScanners],
      });
      const input: DomainScanInput = { scanId: scan.id, domain: d, scanners: [...DomainScanners] };
      const result = await client.workflow.execute('domainScan', {
        taskQueue: TaskQueues.domainScans,
        workflowId: scan.workflowId,
        args: [input],
      });
      unknown += (result as { scanners: Array<{ resultStatus?: string }> }).scanners.filter(
        (s) => s.resultStatus === 'unknown',
      ).length;
    });
    seconds = (performance.now() - t0) / 1000;
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM scan_result`)) as Array<{
      n: number;
    }>;
    rows.push({
      path: 'Temporal (workflow per domain)',
      domains: domains.length,
      'domains/s': +(domains.length / seconds).toFixed(1),
      seconds: +seconds.toFixed(1),
      'peak RSS MB': Math.round(memory.stop() / 2 ** 20),
      'unknown checks': unknown,
    });
    console.log(
      `Mail and DNS checks (${DomainScanners.length} scanners per domain) over ${domains.length} lab domains, ` +
        `${CONCURRENCY} at a time, node ${process.version}; ${n} result rows stored through Temporal`,
    );
    console.table(rows);
  } finally {
    // Each step gets a bounded wait: a benchmark must end, and say what did not stop in time.
    for (const [i, stop] of [...stops.entries()].reverse()) {
      const outcome = await Promise.race([
        stop().then(
          () => 'stopped',
          (err: Error) => `failed: ${err.message}`,
        ),
        new Promise<string>((r) => setTimeout(() => r('timed out'), 30_000).unref()),
      ]);
      if (outcome !== 'stopped') console.error(`cleanup step ${i}: ${outcome}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
