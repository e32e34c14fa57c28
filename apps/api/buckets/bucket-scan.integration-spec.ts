/**
 * Bucket malware scanning end to end against a real S3 server (versitygw) sending real upload
 * notifications to the API, a real clamd with the lab's signatures, Postgres and Temporal.
 */
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Worker } from '@temporalio/worker';
import { objectScanWorkflowId, TaskQueues } from '../../../libs/contracts';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestClamd, type TestClamd } from '../../../test/support/clamd';
import {
  planTestS3Server,
  startTestS3Server,
  type TestS3Server,
} from '../../../test/support/s3-server';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const NOTIFY_SECRET = randomBytes(24).toString('hex');
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

/** A zip (stored, no compression) holding one file: built by hand to keep the test dependency-free. */
function zipOf(name: string, content: Buffer): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const b of content) crc = crcTable[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localSize = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The bucket owner's webhook receiver: a real HTTP server that can be told to fail. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  let failNext = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.statusCode = 503;
        return res.end();
      }
      deliveries.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/av`,
    deliveries,
    failTimes: (n: number) => (failNext = n),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('bucket malware scanning', () => {
  let stack: TestStack;
  let s3: TestS3Server;
  let clamd: TestClamd;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let notificationsUrl: string;
  let worker: Worker;
  const bucketIds = new Map<string, string>();

  async function register(name: string, settings: Record<string, unknown>) {
    await s3.createBucket(name);
    const res = await stack.graphql<{ registerBucket: { id: string } }>(
      `mutation($o: ID!, $n: String!, $s: BucketSettingsInput!) {
         registerBucket(organisationId: $o, name: $n, settings: $s) { id }
       }`,
      { o: stack.organisationId, n: name, s: settings },
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    bucketIds.set(name, res.data.registerBucket.id);
    return res.data.registerBucket.id;
  }

  type Result = {
    key: string;
    verdict: string;
    signatures: string[];
    reason: string | null;
    scanCount: number;
    engineVersion: string | null;
    databaseVersion: number | null;
    databaseTime: string | null;
    actions: Record<string, unknown>;
  };

  async function results(bucket: string, verdict?: string, first = 100): Promise<Result[]> {
    const res = await stack.graphql<{
      bucketScanResults: { nodes: Result[]; totalCount: number };
    }>(
      `query($b: ID!, $v: BucketVerdict, $f: Int) {
         bucketScanResults(bucketId: $b, verdict: $v, first: $f) {
           totalCount
           nodes { key verdict signatures reason scanCount engineVersion databaseVersion databaseTime actions }
         }
       }`,
      { b: bucketIds.get(bucket), v: verdict ?? null, f: first },
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.bucketScanResults.nodes;
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const resultFor = (bucket: string, key: string, done = (r: Result) => Boolean(r)) =>
    waitFor(`${bucket}/${key}`, async () => {
      const r = (await results(bucket)).find((x) => x.key === key);
      return r && done(r) ? r : undefined;
    });

  const tagsOf = async (bucket: string, key: string) => {
    const t = await s3.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    return Object.fromEntries((t.TagSet ?? []).map((x) => [x.Key, x.Value]));
  };

  const exists = (bucket: string, key: string) =>
    s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (err: { name?: string }) => {
        if (err.name === 'NotFound') return false;
        throw err;
      },
    );

  beforeAll(async () => {
    const plan = await planTestS3Server();
    clamd = await startTestClamd();
    receiver = await startReceiver();
    stack = await startTestStack({
      env: {
        ...plan.env,
        ...clamd.env,
        BUCKET_NOTIFICATION_SECRET: NOTIFY_SECRET,
        BUCKET_SCAN_ATTEMPTS: '3',
        WORKER_SHUTDOWN_GRACE_MS: '300',
      },
    });
    notificationsUrl = stack.graphqlUrl.replace(/\/graphql$/, '/buckets/notifications');
    s3 = await startTestS3Server({
      plan,
      webhookUrl: `${notificationsUrl}?token=${NOTIFY_SECRET}`,
    });
    worker = await stack.startWorker(TaskQueues.buckets);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    await clamd?.stopAndClean();
    await receiver?.close();
  }, 60_000);

  it('scans uploads: clean, EICAR, EICAR in a zip, an archive-only signature, oversize, empty', async () => {
    await register('uploads', {
      infectedAction: 'QUARANTINE',
      quarantineBucket: 'quarantine',
      maxObjectBytes: 4096,
      webhookUrl: receiver.url,
      webhookSecret: WEBHOOK_SECRET,
      notifyClean: true,
    });
    await s3.createBucket('quarantine');
    await s3.put('uploads', 'docs/clean.txt', 'just a document');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'incoming/eicar file.com',
        Body: EICAR,
        Metadata: { uploader: 'alice' },
        ContentType: 'application/octet-stream',
      }),
    );
    await s3.put('uploads', 'archives/eicar.zip', zipOf('eicar.com', Buffer.from(EICAR)));
    await s3.put(
      'uploads',
      'archives/payload.zip',
      zipOf('perimeter-archive-payload.txt', Buffer.from('harmless on its own')),
    );
    // The archive-only signature names a zip member: the same bytes outside a zip are clean.
    await s3.put('uploads', 'loose/perimeter-archive-payload.txt', 'harmless on its own');
    await s3.put('uploads', 'big/large.bin', randomBytes(5000));
    await s3.put('uploads', 'empty/zero.bin', Buffer.alloc(0));

    // The verdict is stored first, then the actions run: wait until they have.
    const settled = (r: Result) =>
      r.actions.tagged === true && (r.verdict !== 'INFECTED' || r.actions.deleted === true);
    const clean = await resultFor('uploads', 'docs/clean.txt', settled);
    const eicar = await resultFor('uploads', 'incoming/eicar file.com', settled);
    const zipped = await resultFor('uploads', 'archives/eicar.zip', settled);
    const archiveOnly = await resultFor('uploads', 'archives/payload.zip', settled);
    const loose = await resultFor('uploads', 'loose/perimeter-archive-payload.txt', settled);
    const large = await resultFor('uploads', 'big/large.bin', settled);
    const empty = await resultFor('uploads', 'empty/zero.bin', settled);

    expect(clean.verdict).toBe('CLEAN');
    expect(eicar).toMatchObject({ verdict: 'INFECTED' });
    expect(eicar.signatures[0]).toMatch(/^Eicar-Test-Signature/);
    expect(zipped.verdict).toBe('INFECTED');
    expect(zipped.signatures[0]).toMatch(/^Eicar-Test-Signature/);
    expect(archiveOnly.signatures[0]).toMatch(/^Perimeter\.Test\.ArchiveOnly/);
    expect(loose.verdict).toBe('CLEAN');
    expect(large).toMatchObject({ verdict: 'SKIPPED', reason: 'larger than 4096 bytes' });
    expect(empty.verdict).toBe('CLEAN');
    // Every verdict names the signature database it came from (the lab's daily.cud, version 1).
    expect(clean).toMatchObject({ engineVersion: expect.stringMatching(/^ClamAV [\d.]+\/1$/) });
    expect(clean.databaseVersion).toBe(1);
    expect(new Date(clean.databaseTime!).getTime()).toBeLessThan(Date.now());

    // Tags on what stays; SKIPPED is never tagged CLEAN.
    expect(await tagsOf('uploads', 'docs/clean.txt')).toMatchObject({
      'scan-status': 'CLEAN',
      'scan-signature': 'none',
      'scan-engine-version': clean.engineVersion,
    });
    expect((await tagsOf('uploads', 'docs/clean.txt'))['scan-timestamp']).toMatch(/^\d{4}-/);
    expect((await tagsOf('uploads', 'big/large.bin'))['scan-status']).toBe('SKIPPED');

    // Infected objects moved to quarantine with their metadata and tags, gone from the bucket.
    expect(await exists('uploads', 'incoming/eicar file.com')).toBe(false);
    expect(await exists('uploads', 'archives/eicar.zip')).toBe(false);
    const moved = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'quarantine', Key: 'uploads/incoming/eicar file.com' }),
    );
    expect(moved.Metadata).toMatchObject({ uploader: 'alice' });
    expect(await tagsOf('quarantine', 'uploads/incoming/eicar file.com')).toMatchObject({
      'scan-status': 'INFECTED',
      'scan-signature': expect.stringMatching(/^Eicar-Test-Signature/),
    });
    expect(eicar.actions).toMatchObject({
      tagged: true,
      deleted: true,
      quarantinedTo: 's3://quarantine/uploads/incoming/eicar file.com',
    });

    // Webhook: one signed delivery per verdict (clean ones too, as configured).
    const delivered = await waitFor('webhook deliveries', async () =>
      receiver.deliveries.length >= 7 ? receiver.deliveries : undefined,
    );
    const bodies = delivered.map((d) => JSON.parse(d.body) as Record<string, unknown>);
    const infected = bodies.find((b) => b.key === 'incoming/eicar file.com')!;
    expect(infected).toMatchObject({
      event: 'bucket.object.scanned',
      bucket: 'uploads',
      verdict: 'INFECTED',
      signatures: [expect.stringMatching(/^Eicar-Test-Signature/)],
      size: 68,
      engine: { databaseVersion: 1, databaseAgeSeconds: expect.any(Number) },
      actions: { quarantinedTo: 's3://quarantine/uploads/incoming/eicar file.com', deleted: true },
    });
    for (const d of delivered) {
      const [t, v1] = String(d.headers['x-perimeter-signature']).split(',');
      const expected = createHmac('sha256', WEBHOOK_SECRET)
        .update(`${t!.slice(2)}.${d.body}`)
        .digest('hex');
      expect(v1).toBe(`v1=${expected}`);
    }
    expect(bodies.find((b) => b.key === 'big/large.bin')).toMatchObject({ verdict: 'SKIPPED' });
    if (process.env.RECORD_HISTORY === 'object-scan-v1') {
      const digest = createHash('sha256').update('incoming/eicar file.com').digest('hex');
      await recordHistoryIfAsked(
        stack,
        objectScanWorkflowId(bucketIds.get('uploads')!, digest.slice(0, 32), {
          versionId: null,
          etag: '44d88612fea8a8f36de82e1278abb02f',
        }),
      );
    }
  });

  it('deletes infected objects when told to, and retries a webhook that fails', async () => {
    await register('deleting', {
      infectedAction: 'DELETE',
      webhookUrl: receiver.url,
      webhookSecret: WEBHOOK_SECRET,
    });
    const before = receiver.deliveries.length;
    receiver.failTimes(2);
    await s3.put('deleting', 'x/eicar.txt', EICAR);
    await s3.put('deleting', 'x/fine.txt', 'fine');
    const r = await resultFor('deleting', 'x/eicar.txt', (x) => x.actions.deleted === true);
    expect(r.verdict).toBe('INFECTED');
    expect(await exists('deleting', 'x/eicar.txt')).toBe(false);
    const webhook = await resultFor(
      'deleting',
      'x/eicar.txt',
      (x) => (x.actions.webhook as { status?: number } | undefined)?.status === 200,
    );
    expect(webhook.actions.webhook).toMatchObject({ status: 200, attempts: 3 });
    // CLEAN verdicts are not sent unless notifyClean.
    await resultFor('deleting', 'x/fine.txt');
    const sent = receiver.deliveries.slice(before).map((d) => JSON.parse(d.body).key);
    expect(sent).toEqual(['x/eicar.txt']);
  });

  it('never scans an object version twice, whatever the notifications say', async () => {
    await register('dupes', {});
    await s3.put('dupes', 'a b/report+final.pdf', 'quarterly numbers');
    const first = await resultFor('dupes', 'a b/report+final.pdf');
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'dupes', Key: 'a b/report+final.pdf' }),
    );
    // The same upload, announced again AWS-style (URL-encoded key) and MinIO-style, signed.
    const aws = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: 'dupes' },
            object: { key: 'a+b/report%2Bfinal.pdf', size: 17, eTag: head.ETag!.replace(/"/g, '') },
          },
        },
      ],
    });
    const minio = JSON.stringify({
      EventName: 's3:ObjectCreated:Put',
      Key: 'dupes/a b/report+final.pdf',
      Records: [
        {
          eventVersion: '2.0',
          eventSource: 'minio:s3',
          eventName: 's3:ObjectCreated:Put',
          s3: {
            bucket: { name: 'dupes' },
            object: { key: 'a+b%2Freport%2Bfinal.pdf', size: 17, eTag: head.ETag },
          },
        },
      ],
    });
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(notificationsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const sign = (body: string) => ({
      'x-perimeter-signature': `sha256=${createHmac('sha256', NOTIFY_SECRET).update(body).digest('hex')}`,
    });
    for (const body of [aws, minio, aws]) {
      const res = await post(body, sign(body));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ started: 0, duplicates: 1 });
    }
    // Unauthenticated or tampered notifications start nothing.
    expect((await post(aws)).status).toBe(401);
    expect((await post(aws.replace('dupes', 'other'), sign(aws))).status).toBe(401);
    expect((await post('{"Records": 5}', sign('{"Records": 5}'))).status).toBe(400);
    await new Promise((r) => setTimeout(r, 1000));
    const [again] = (await results('dupes')).filter((r) => r.key === 'a b/report+final.pdf');
    expect(again).toMatchObject({ verdict: first.verdict, scanCount: 1 });
  });

  it('clamd down: retried, then ERROR; nothing deleted, never INFECTED', async () => {
    await register('outage', { infectedAction: 'DELETE' });
    await clamd.stop();
    try {
      await s3.put('outage', 'eicar-during-outage.txt', EICAR);
      // The ERROR is stored first, then the object is tagged.
      const r = await resultFor(
        'outage',
        'eicar-during-outage.txt',
        (x) => x.actions.tagged === true,
      );
      expect(r.verdict).toBe('ERROR');
      expect(r.reason).toMatch(/clamd unreachable/);
      expect(await exists('outage', 'eicar-during-outage.txt')).toBe(true);
      expect((await tagsOf('outage', 'eicar-during-outage.txt'))['scan-status']).toBe('ERROR');
    } finally {
      await clamd.restart();
    }
    // A sweep picks up what failed once clamd is back (ERROR is never "already scanned").
    const res = await stack.graphql<{ requestBucketScan: { id: string } }>(
      `mutation($b: ID!) { requestBucketScan(bucketId: $b) { id } }`,
      { b: bucketIds.get('outage') },
    );
    const sweepId = res.data!.requestBucketScan.id;
    // Followed live: the subscription pushes the sweep on each change and completes with it.
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.token}` },
      retryAttempts: 0,
    });
    const updates = await new Promise<Array<{ status: string; summary: { infected: number } }>>(
      (resolve, reject) => {
        const values: Array<{ status: string; summary: { infected: number } }> = [];
        client.subscribe<{ bucketSweepUpdated: { status: string; summary: { infected: number } } }>(
          {
            query: `subscription($id: ID!) { bucketSweepUpdated(id: $id) { status summary { infected } } }`,
            variables: { id: sweepId },
          },
          {
            next: (v) => values.push(v.data!.bucketSweepUpdated),
            error: reject,
            complete: () => resolve(values),
          },
        );
      },
    ).finally(() => client.dispose());
    expect(updates.at(-1)).toEqual({ status: 'COMPLETED', summary: { infected: 1 } });
    expect(await exists('outage', 'eicar-during-outage.txt')).toBe(false);
    if (process.env.RECORD_HISTORY === 'bucket-sweep-v1')
      await recordHistoryIfAsked(stack, `bucket-sweep:${sweepId}`);
  });

  it('refuses bad settings and bad sweep requests with clear errors, storing nothing', async () => {
    const before = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM bucket`);
    const attempt = async (name: string, settings: Record<string, unknown>) => {
      const res = await stack.graphql(
        `mutation($o: ID!, $n: String!, $s: BucketSettingsInput!) {
           registerBucket(organisationId: $o, name: $n, settings: $s) { id }
         }`,
        { o: stack.organisationId, n: name, s: settings },
      );
      return res.errors?.[0];
    };
    expect(await attempt('Bad_Name', {})).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await attempt('fine-name', { infectedAction: 'QUARANTINE' }))?.message).toMatch(
      /quarantineBucket: required/,
    );
    expect(
      (
        await attempt('fine-name', {
          webhookUrl: 'file:///etc/passwd',
          webhookSecret: 'x'.repeat(20),
        })
      )?.message,
    ).toMatch(/webhookUrl: an http\(s\) URL/);
    expect((await attempt('fine-name', { webhookUrl: 'https://example.com/h' }))?.message).toMatch(
      /give both or neither/,
    );
    expect((await attempt('fine-name', { maxObjectBytes: 1e12 }))?.message).toMatch(
      /BUCKET_SCAN_MAX_BYTES/,
    );
    expect(await attempt('uploads', {})).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM bucket`)).toEqual(
      before,
    );

    const sweeps = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM bucket_sweep`);
    const res = await stack.graphql(
      `mutation($b: ID!) { requestBucketScan(bucketId: $b, filters: { minSize: 10, maxSize: 5 }) { id } }`,
      { b: bucketIds.get('uploads') },
    );
    expect(res.errors?.[0]).toMatchObject({
      message: 'minSize must not exceed maxSize',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM bucket_sweep`)).toEqual(
      sweeps,
    );
  });

  it('a sweep of thousands of objects survives a worker restart and scans each object once', async () => {
    const bucketId = await register('sweep', { scanOnUpload: false });
    const total = 2000;
    const keys = Array.from({ length: total }, (_, i) =>
      i % 400 === 0 ? `batch/${i}/sample.com` : `batch/${i}/file-${i}.txt`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((k) => s3.put('sweep', k, k.endsWith('.com') ? EICAR : `content of ${k}`)),
      );
    }
    const sweep = async (args: string) => {
      const res = await stack.graphql<{ requestBucketScan: { id: string } }>(
        `mutation($b: ID!) { requestBucketScan(bucketId: $b${args}) { id } }`,
        { b: bucketId },
      );
      if (!res.data) throw new Error(JSON.stringify(res.errors));
      return res.data.requestBucketScan.id;
    };
    type Sweep = {
      status: string;
      listed: number;
      alreadyScanned: number;
      summary: { clean: number; infected: number; skipped: number; errors: number };
    };
    const sweepState = async (id: string) =>
      (
        await stack.graphql<{ bucketSweep: Sweep }>(
          `query($id: ID!) { bucketSweep(id: $id) { status listed alreadyScanned summary { clean infected skipped errors } } }`,
          { id },
        )
      ).data!.bucketSweep;
    const finished = (id: string) =>
      waitFor(
        'sweep to finish',
        async () => {
          const s = await sweepState(id);
          return ['COMPLETED', 'FAILED'].includes(s.status) ? s : undefined;
        },
        240_000,
      );

    const first = await sweep('');
    // Part-way through, the worker goes away; a new one takes over.
    await waitFor(
      'progress',
      async () => {
        const s = await sweepState(first);
        return s.summary.clean > 300 ? s : undefined;
      },
      120_000,
    );
    const stopping = worker.shutdown();
    await waitFor('worker to stop', async () =>
      worker.getState() === 'STOPPED' ? true : undefined,
    );
    await stopping;
    worker = await stack.startWorker(TaskQueues.buckets);
    const done = await finished(first);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      listed: total,
      alreadyScanned: 0,
      summary: { clean: total - 5, infected: 5, skipped: 0, errors: 0 },
    });
    const [counts] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS objects, count(DISTINCT object_key)::int AS keys,
              min(scan_count) AS min, max(scan_count) AS max
         FROM bucket_object_result WHERE bucket_id = $1`,
      [bucketId],
    )) as Array<{ objects: number; keys: number; min: number; max: number }>;
    expect(counts).toEqual({ objects: total, keys: total, min: 1, max: 1 });
    // The restart really interrupted a batch: the new worker ran a second attempt of it.
    const history = await stack.client.workflow.getHandle(`bucket-sweep:${first}`).fetchHistory();
    const attempts = history
      .events!.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0)
      .filter(Boolean);
    expect(Math.max(...attempts)).toBeGreaterThan(1);

    // Again, narrowed by prefix and suffix: everything is current, so nothing is rescanned…
    const again = await finished(
      await sweep(', prefix: "batch/", filters: { suffixes: [".COM"] }'),
    );
    expect(again).toMatchObject({
      listed: 5,
      alreadyScanned: 5,
      summary: { clean: 0, infected: 0, skipped: 0, errors: 0 },
    });
    // …unless forced; a size filter keeps only the EICAR files (68 bytes).
    const forced = await finished(
      await sweep(', force: true, filters: { minSize: 60, maxSize: 70 }'),
    );
    expect(forced).toMatchObject({ listed: 5, alreadyScanned: 0, summary: { infected: 5 } });
    const infected = await stack.graphql<{
      bucketScanResults: { totalCount: number; nodes: Array<{ scanCount: number }> };
    }>(
      `query($b: ID!) { bucketScanResults(bucketId: $b, verdict: INFECTED, first: 2) { totalCount nodes { scanCount } } }`,
      { b: bucketId },
    );
    expect(infected.data!.bucketScanResults).toEqual({
      totalCount: 5,
      nodes: [{ scanCount: 2 }, { scanCount: 2 }],
    });
  }, 400_000);
});
