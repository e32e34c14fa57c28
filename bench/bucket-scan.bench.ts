/**
 * Bucket malware scanning throughput: a sweep of many small objects and one of a few large ones
 * through the whole pipeline (versitygw → S3 client → clamd INSTREAM, verdict rows, tags, in a
 * `bucketSweep` workflow on a real Temporal dev server and embedded PostgreSQL), then the same
 * objects scanned by `clamdscan` directly against the same clamd, in the same run, so the
 * pipeline's overhead over clamd is a ratio. Run: `npm run bench:buckets`
 * (BENCH_SMALL, BENCH_LARGE, BENCH_LARGE_MB, BUCKET_SWEEP_CONCURRENCY to change the load).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { workerFactories } from '../apps/workers/worker-factories';
import { loadConfig } from '../libs/config/config';
import { bucketSweepWorkflowId, TaskQueues } from '../libs/contracts';
import {
  createBucket,
  createDataSource,
  createOrganisation,
  createSweep,
  runMigrations,
  sweepCounts,
} from '../libs/db';
import { startClamd } from '../libs/embedded/clamd';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { freePort } from '../libs/embedded/process-utils';
import { startS3Server } from '../libs/embedded/s3-server';
import { startTemporalDevServer } from '../libs/embedded/temporal-dev-server';
import { createS3Client } from '../libs/s3';

const SMALL = Number(process.env.BENCH_SMALL ?? 2000);
const LARGE = Number(process.env.BENCH_LARGE ?? 4);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 25);
const CONCURRENCY = process.env.BUCKET_SWEEP_CONCURRENCY ?? '4';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    // clamdscan exits 1 when it found something: expected here.
    child.once('exit', (code) =>
      code === 0 || code === 1 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}`)),
    );
  });
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stops: Array<[string, () => Promise<unknown>]> = [];
  const work = await mkdtemp(path.join(tmpdir(), 'perimeter-bench-buckets-'));
  stops.push(['temp files', () => rm(work, { recursive: true, force: true })]);
  try {
    const pgDir = path.join(tmpdir(), `perimeter-bench-pg-${randomBytes(4).toString('hex')}`);
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort(), fast: true });
    stops.push([
      'PostgreSQL',
      async () => {
        await pg.stop();
        await rm(pgDir, { recursive: true, force: true });
      },
    ]);
    const temporal = await startTemporalDevServer({ port: await freePort() });
    stops.push(['Temporal', temporal.stop]);
    const clamd = await startClamd({ dir: path.join(work, 'clamd'), port: await freePort() });
    stops.push(['clamd', clamd.stop]);
    const s3Data = path.join(work, 's3');
    const keys = { accessKeyId: 'bench', secretAccessKey: randomBytes(16).toString('hex') };
    const s3Server = await startS3Server({ dataDir: s3Data, port: await freePort(), ...keys });
    stops.push(['versitygw', s3Server.stop]);
    const s3 = createS3Client({
      endpoint: s3Server.endpoint,
      region: s3Server.region,
      forcePathStyle: true,
      ...keys,
    });

    const ds = await createDataSource(pg.url).initialize();
    stops.push(['data source', () => ds.destroy()]);
    await runMigrations(ds);
    const organisation = await createOrganisation(ds, { slug: 'bench', name: 'Bench' });
    const config = loadConfig({
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      S3_ENDPOINT: s3Server.endpoint,
      S3_ACCESS_KEY_ID: keys.accessKeyId,
      S3_SECRET_ACCESS_KEY: keys.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      CLAMD_ADDRESS: clamd.address,
      BUCKET_SWEEP_CONCURRENCY: CONCURRENCY,
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker = await workerFactories[TaskQueues.buckets]({
      config,
      connection,
      dataSource: ds,
    });
    const running = worker.run();
    stops.push([
      'worker',
      async () => {
        worker.shutdown();
        await running;
        await connection.close();
      },
    ]);
    const client = new Client({
      connection: await Connection.connect({ address: temporal.address }),
    });
    stops.push(['client', () => client.connection.close()]);

    const sets = [
      { bucket: 'bench-small', count: SMALL, size: () => 1024 + Math.floor(Math.random() * 7168) },
      { bucket: 'bench-large', count: LARGE, size: () => LARGE_MB * 1024 * 1024 },
    ];
    const rows: Array<Record<string, string | number>> = [];
    const ratios: string[] = [];
    for (const set of sets) {
      const bucket = await createBucket(ds, {
        organisationId: organisation.id,
        name: set.bucket,
        scanOnUpload: false,
        tagObjects: true,
        infectedAction: 'none',
        quarantineBucket: null,
        maxObjectBytes: 100 * 1024 * 1024,
        webhookUrl: null,
        webhookSecret: null,
        notifyClean: false,
      });
      await s3.send(new CreateBucketCommand({ Bucket: set.bucket }));
      let bytes = 0;
      const files: string[] = [];
      for (let i = 0; i < set.count; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, set.count - i) }, async (_, j) => {
            const key = `obj/${i + j}.bin`;
            const body = randomBytes(set.size());
            bytes += body.length;
            files.push(path.join(s3Data, set.bucket, key));
            await s3.send(new PutObjectCommand({ Bucket: set.bucket, Key: key, Body: body }));
          }),
        );
      }
      const mb = bytes / 2 ** 20;

      // 1. The pipeline: one sweep workflow.
      const sweep = await createSweep(ds, {
        bucketId: bucket.id,
        prefix: '',
        filters: { suffixes: [], minSize: null, maxSize: null },
        force: true,
        requestedBy: null,
      });
      let t0 = performance.now();
      await client.workflow.execute('bucketSweep', {
        taskQueue: TaskQueues.buckets,
        workflowId: bucketSweepWorkflowId(sweep.id),
        args: [{ sweepId: sweep.id, bucketId: bucket.id, scanAttempts: 3 }],
      });
      const pipeline = (performance.now() - t0) / 1000;
      const counts = await sweepCounts(ds, sweep.id);
      if (counts.clean !== set.count)
        throw new Error(`expected ${set.count} CLEAN, got ${JSON.stringify(counts)}`);

      // 2. clamdscan on the same objects (the S3 server's files), same clamd.
      const list = path.join(work, `${set.bucket}.list`);
      await writeFile(list, files.join('\n'));
      t0 = performance.now();
      await run('clamdscan', [
        '-c',
        clamd.configFile,
        '--stream',
        '--no-summary',
        `--file-list=${list}`,
      ]);
      const streamed = (performance.now() - t0) / 1000;
      t0 = performance.now();
      await run('clamdscan', ['-c', clamd.configFile, '-m', '--no-summary', `--file-list=${list}`]);
      const multiscan = (performance.now() - t0) / 1000;

      const row = (how: string, s: number) => ({
        objects: `${set.count} × ${set.bucket === 'bench-small' ? '1-8 KB' : `${LARGE_MB} MB`}`,
        path: how,
        seconds: +s.toFixed(2),
        'objects/s': +(set.count / s).toFixed(1),
        'MB/s': +(mb / s).toFixed(1),
      });
      rows.push(row(`pipeline (sweep, concurrency ${CONCURRENCY})`, pipeline));
      rows.push(row('clamdscan --stream (INSTREAM, one at a time)', streamed));
      rows.push(row('clamdscan -m (MULTISCAN, clamd reads files)', multiscan));
      ratios.push(
        `${set.bucket}: pipeline takes ${(pipeline / streamed).toFixed(2)}× clamdscan --stream, ` +
          `${(pipeline / multiscan).toFixed(2)}× clamdscan -m`,
      );
    }
    console.log(
      `Bucket scanning (versitygw + clamd ${clamd.address}, lab signatures), node ${process.version}`,
    );
    console.table(rows);
    for (const r of ratios) console.log(r);
  } finally {
    for (const [name, stop] of stops.reverse()) {
      const outcome = await Promise.race([
        stop().then(
          () => 'stopped',
          (err: Error) => `failed: ${err.message}`,
        ),
        new Promise<string>((r) => setTimeout(() => r('timed out'), 15_000).unref()),
      ]);
      if (outcome !== 'stopped') console.error(`${name}: ${outcome}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
