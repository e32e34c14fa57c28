/**
 * Guidance and compliance:
 *   1. evaluating the catalogue (every finding rule, the compound rules, compliance and DMARC
 *      phase) against the real reports of every lab posture, in-process;
 *   2. the guidance step's function against embedded PostgreSQL (read the results, evaluate,
 *      store tags and compliance in one transaction), per scan;
 *   3. organisation queries over BENCH_DOMAINS domains with BENCH_DAYS daily evaluations each:
 *      counts, a trend page, a page of domains with a filter.
 * Run: `npm run bench:guidance` (BENCH_DOMAINS, BENCH_DAYS to change the data).
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runDomainChecks } from '../activities/domain-report';
import { evaluateScanGuidance } from '../activities/guidance.activities';
import { startLab } from '../lab/lab';
import { PostureChecks } from '../libs/contracts';
import {
  createDataSource,
  createDomainScan,
  createOrganisation,
  organisationComplianceAt,
  organisationComplianceTrendQuery,
  organisationDomainComplianceQuery,
  runMigrations,
  upsertScanResult,
} from '../libs/db';
import { keysetPage } from '../libs/db/keyset-page';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { projectRoot } from '../libs/embedded/paths';
import { freePort } from '../libs/embedded/process-utils';
import { evaluateGuidance, guidanceCatalogue, scannerResultOf } from '../libs/guidance';
import { createScannerResolver } from '../libs/net/scanner-resolver';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const DAY = 86_400_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(runs: number, f: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

async function main(): Promise<void> {
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // 1. Real reports of every lab posture.
    const lab = await startLab();
    stops.push(() => lab.close());
    const ctx = {
      resolver: createScannerResolver({ servers: lab.resolvers, timeoutMs: 3000, tries: 2 }),
      extraPublicSuffixes: ['perimeter.test'],
      allowPrivateTargets: true,
      https: { port: lab.https.port, extraCaPems: [lab.https.caPem] },
    };
    const names = (await readdir(path.join(projectRoot(), 'lab', 'zones')))
      .filter((f) => f.endsWith('.perimeter.test.zone'))
      .map((f) => f.replace(/\.zone$/, ''));
    // A few domains at a time: the evaluation wants definite reports, not a flooded lab.
    const reports: Awaited<ReturnType<typeof runDomainChecks>>[] = [];
    for (let i = 0; i < names.length; i += 8) {
      reports.push(
        ...(await Promise.all(
          names.slice(i, i + 8).map((d) => runDomainChecks(d, PostureChecks, ctx)),
        )),
      );
    }
    const resultsOf = reports.map((r) =>
      r.checks.map((c) =>
        scannerResultOf({ scanner: c.check, status: c.status, data: c as never }),
      ),
    );
    const catalogue = guidanceCatalogue();
    const checks = reports.flatMap((r) => r.checks);
    const undetermined = checks.filter((c) => c.status !== 'completed').length;
    const REPEAT = 50;
    let tags = 0;
    const t0 = performance.now();
    for (let i = 0; i < REPEAT; i++) {
      for (const results of resultsOf) tags += evaluateGuidance(catalogue, results).tags.length;
    }
    const evalMs = performance.now() - t0;
    const evaluations = REPEAT * resultsOf.length;
    console.log(
      `catalogue ${catalogue.version}: ${catalogue.tags.size} tags, ${catalogue.rules.length} rules`,
    );
    console.log(
      `evaluate (in-process): ${evaluations} evaluations of ${resultsOf.length} lab postures, ` +
        `${(evalMs / evaluations).toFixed(3)} ms each, ${Math.round(evaluations / (evalMs / 1000))}/s ` +
        `(${(tags / evaluations).toFixed(1)} tags per scan; ${undetermined} of ${checks.length} checks undetermined)`,
    );

    // 2. The guidance step against PostgreSQL.
    const dataDir = path.join(tmpdir(), `perimeter-bench-guidance-${randomUUID()}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
    stops.push(async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const ds = await createDataSource(pg.url).initialize();
    stops.push(() => ds.destroy());
    await runMigrations(ds);
    const org = await createOrganisation(ds, { slug: 'bench', name: 'Bench' });
    const scanIds: string[] = [];
    for (const [i, report] of reports.entries()) {
      const { scan } = await createDomainScan(ds, {
        organisationId: org.id,
        domain: { ascii: report.domain, unicode: report.domain },
        requestedBy: null,
      });
      for (const c of report.checks) {
        await upsertScanResult(ds, {
          scanId: scan.id,
          scanner: c.check,
          status: c.status,
          data: c as never,
          error: null,
          attempt: 1,
          startedAt: new Date(),
          finishedAt: new Date(),
        });
      }
      scanIds.push(scan.id);
      if (i === 0) await evaluateScanGuidance(ds, scan.id); // warm-up
    }
    const t1 = performance.now();
    for (const id of scanIds) await evaluateScanGuidance(ds, id);
    const stepMs = (performance.now() - t1) / scanIds.length;
    console.log(
      `guidance step (read results, evaluate, store): ${scanIds.length} scans, ${stepMs.toFixed(1)} ms per scan`,
    );

    // 3. Organisation queries over DOMAINS domains × DAYS daily evaluations.
    const big = await createOrganisation(ds, { slug: 'big', name: 'Big' });
    const since = new Date(Date.now() - DAYS * DAY);
    const tl = performance.now();
    await ds.query(
      `INSERT INTO domain (id, organisation_id, name, unicode_name)
       SELECT gen_random_uuid(), $1, 'd' || i || '.example.test', 'd' || i || '.example.test'
       FROM generate_series(1, $2) i`,
      [big.id, DOMAINS],
    );
    await ds.query(
      `WITH s AS (
         INSERT INTO scan (id, kind, target, organisation_id, domain_id, status, workflow_id,
                           requested_at, started_at, finished_at)
         SELECT gen_random_uuid(), 'domain', d.name, d.organisation_id, d.id, 'completed',
                'bench:' || gen_random_uuid(), t, t, t
         FROM domain d CROSS JOIN generate_series(0, $2 - 1) day
         CROSS JOIN LATERAL (SELECT $3::timestamptz + day * interval '1 day' + random() * interval '20 hours' AS t) x
         WHERE d.organisation_id = $1
         RETURNING id, organisation_id, domain_id, started_at)
       INSERT INTO guidance_evaluation (scan_id, organisation_id, domain_id, catalogue_version,
         scanned_at, web_status, mail_status, dmarc_phase, criteria)
       SELECT id, organisation_id, domain_id, $4, started_at,
         (ARRAY['compliant','non-compliant','unknown'])[1 + floor(random() * 3)],
         (ARRAY['compliant','non-compliant','unknown'])[1 + floor(random() * 3)],
         (ARRAY['not-implemented','assess','deploy','enforce','maintain'])[1 + floor(random() * 5)],
         '[]'
       FROM s`,
      [big.id, DAYS, since, catalogue.version],
    );
    // As autovacuum leaves it: statistics and a visibility map (index-only probes).
    await ds.query('VACUUM ANALYZE');
    console.log(
      `loaded ${DOMAINS} domains × ${DAYS} evaluations (${DOMAINS * DAYS} rows) in ${((performance.now() - tl) / 1000).toFixed(1)} s`,
    );
    const counts = await timed(10, () => organisationComplianceAt(ds, big.id, [new Date()]));
    console.log(
      `organisationCompliance (newest evaluation of each domain): ${counts.toFixed(1)} ms`,
    );
    // What the resolver does: the page's periods, then their counts in one query.
    const trendPage = async (interval: 'day' | 'week', first: number) => {
      const q = organisationComplianceTrendQuery(big.id, since, new Date(), interval);
      const page = await keysetPage<{ period_end: Date }>(ds, q, { first }, 100);
      return organisationComplianceAt(
        ds,
        big.id,
        page.rows.map((r) => r.period_end),
      );
    };
    const daily = await timed(5, () => trendPage('day', 30));
    console.log(`organisationComplianceTrend, a page of 30 days: ${daily.toFixed(1)} ms`);
    const weekly = await timed(5, () => trendPage('week', 100));
    console.log(
      `organisationComplianceTrend, ${Math.ceil(DAYS / 7)} weeks in one page: ${weekly.toFixed(1)} ms`,
    );
    const list = organisationDomainComplianceQuery(big.id, { mail: 'non-compliant' });
    const listPage = await timed(10, () => keysetPage(ds, list, { first: 50 }, 100));
    console.log(
      `organisationDomainCompliance(mail: NON_COMPLIANT), a page of 50 with totalCount: ${listPage.toFixed(1)} ms`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
