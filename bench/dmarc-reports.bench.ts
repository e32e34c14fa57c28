/**
 * DMARC aggregate reports: a generated set (one large .xml.gz report plus many small .xml ones)
 *   1. parsed alone (unpack + streaming XML parse, records discarded), and
 *   2. ingested into PostgreSQL (embedded) through the same pipeline the ingest activity runs.
 * Prints MB/s of XML, records/s and peak memory (RSS and heap, sampled) for each.
 * Run: `npm run bench:dmarc` (BENCH_DMARC_RECORDS: records in the large report, default 250,000;
 * BENCH_DMARC_SMALL: small reports, default 200).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { storeReports } from '../activities/dmarc-reports/store-reports';
import { createDataSource, createOrganisation, runMigrations } from '../libs/db';
import { generateReportXml, readReports, type GeneratedTotals } from '../libs/dmarc-report';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { freePort } from '../libs/embedded/process-utils';

const LARGE_RECORDS = Number(process.env.BENCH_DMARC_RECORDS ?? 250_000);
const SMALL_REPORTS = Number(process.env.BENCH_DMARC_SMALL ?? 200);

function memorySampler() {
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 10);
  return () => {
    clearInterval(timer);
    sample();
    return { rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heap / 2 ** 20) };
  };
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'perimeter-bench-dmarc-'));
  const stops: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const files: string[] = [];
    const totals: GeneratedTotals = { records: 0, messages: 0, dmarcPass: 0 };
    const large = path.join(dir, 'large.xml.gz');
    await pipeline(
      Readable.from(
        generateReportXml(
          { reportId: 'large-1', domain: 'example.org', records: LARGE_RECORDS },
          totals,
        ),
      ),
      createGzip(),
      createWriteStream(large),
    );
    files.push(large);
    for (let i = 0; i < SMALL_REPORTS; i++) {
      const chunks: Buffer[] = [];
      for await (const c of generateReportXml(
        {
          reportId: `small-${i}`,
          orgName: `reporter-${i % 7}.example`,
          domain: `d${i % 5}.example.org`,
          records: 100,
          seed: i + 1,
          begin: 1792540800 + (i % 30) * 86400,
        },
        totals,
      ))
        chunks.push(c);
      const file = path.join(dir, `small-${i}.xml`);
      await writeFile(file, Buffer.concat(chunks));
      files.push(file);
    }

    const rows: Array<Record<string, unknown>> = [];

    // 1. Parsing alone.
    global.gc?.();
    let stop = memorySampler();
    let t0 = performance.now();
    let bytes = 0;
    let records = 0;
    for (const file of files) {
      const out = await readReports(
        { name: path.basename(file), path: file },
        { onRecord: () => void records++ },
      );
      for (const p of out.parts) if (p.ok) bytes += p.totals.bytes;
      if (out.error || out.parts.some((p) => !p.ok)) throw new Error(`${file} did not parse`);
    }
    let seconds = (performance.now() - t0) / 1000;
    let mem = stop();
    rows.push({
      step: 'parse (unpack + XML)',
      reports: files.length,
      records,
      'XML MB': +(bytes / 2 ** 20).toFixed(1),
      seconds: +seconds.toFixed(2),
      'MB/s': +(bytes / 2 ** 20 / seconds).toFixed(1),
      'records/s': Math.round(records / seconds),
      'peak RSS MB': mem.rssMb,
      'peak heap MB': mem.heapMb,
    });
    if (records !== totals.records)
      throw new Error(`parsed ${records} of ${totals.records} records`);

    // 2. Full ingest into PostgreSQL (parse, one transaction per report, batched inserts).
    const dataDir = path.join(tmpdir(), `perimeter-bench-pg-${randomBytes(4).toString('hex')}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
    stops.push(async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const ds = await createDataSource(pg.url).initialize();
    stops.push(() => ds.destroy());
    await runMigrations(ds);
    const organisation = await createOrganisation(ds, { slug: 'bench', name: 'Bench' });
    global.gc?.();
    stop = memorySampler();
    t0 = performance.now();
    let stored = 0;
    for (const file of files) {
      const parts = await storeReports(ds, {
        name: path.basename(file),
        path: file,
        organisationId: organisation.id,
        uploadId: null,
      });
      stored += parts.filter((p) => p.reportId && !p.duplicate).length;
    }
    seconds = (performance.now() - t0) / 1000;
    mem = stop();
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM dmarc_report_record`)) as [
      { n: number },
    ];
    if (n !== totals.records || stored !== files.length)
      throw new Error(`stored ${stored} reports / ${n} records`);
    rows.push({
      step: 'ingest into PostgreSQL',
      reports: stored,
      records: n,
      'XML MB': +(bytes / 2 ** 20).toFixed(1),
      seconds: +seconds.toFixed(2),
      'MB/s': +(bytes / 2 ** 20 / seconds).toFixed(1),
      'records/s': Math.round(n / seconds),
      'peak RSS MB': mem.rssMb,
      'peak heap MB': mem.heapMb,
    });

    // Ingesting the same set again: every report is a duplicate and is skipped at its header.
    t0 = performance.now();
    let duplicates = 0;
    for (const file of files) {
      const parts = await storeReports(ds, {
        name: path.basename(file),
        path: file,
        organisationId: organisation.id,
        uploadId: null,
      });
      duplicates += parts.filter((p) => p.duplicate).length;
    }
    seconds = (performance.now() - t0) / 1000;
    rows.push({
      step: 'same set again (duplicates)',
      reports: duplicates,
      seconds: +seconds.toFixed(2),
    });

    console.log(
      `DMARC aggregate reports: 1 report of ${LARGE_RECORDS} records (.xml.gz) + ${SMALL_REPORTS} of 100 (.xml)`,
    );
    console.table(rows);
  } finally {
    for (const s of stops.reverse()) await s().catch((err) => console.error(err));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
