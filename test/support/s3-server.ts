import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../libs/embedded/process-utils';
import { startS3Server } from '../../libs/embedded/s3-server';
import { createS3Client } from '../../libs/s3';

export interface TestS3Server {
  endpoint: string;
  /** S3_* configuration for the worker and the API. */
  env: Record<string, string>;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

export interface TestS3Plan {
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** S3_* configuration for the worker. */
  env: Record<string, string>;
}

/**
 * Port and credentials of a server not started yet: the API must know them before the server can
 * start, since versitygw checks its notification webhook (the API) when it starts.
 */
export async function planTestS3Server(): Promise<TestS3Plan> {
  const port = await freePort();
  const accessKeyId = `test${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(16).toString('hex');
  return {
    port,
    accessKeyId,
    secretAccessKey,
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
  };
}

/**
 * A real S3 server (versitygw over a temp folder) for one test file. Other features that read
 * from buckets (DMARC report ingest, inventory import) use it the same way.
 */
export async function startTestS3Server(
  opts: { webhookUrl?: string; plan?: TestS3Plan } = {},
): Promise<TestS3Server> {
  const plan = opts.plan ?? (await planTestS3Server());
  const { accessKeyId, secretAccessKey, env } = plan;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'perimeter-s3-'));
  const logs: string[] = [];
  const server = await startS3Server({
    dataDir,
    port: plan.port,
    accessKeyId,
    secretAccessKey,
    webhookUrl: opts.webhookUrl,
    onLog: (l) => logs.push(l),
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${logs.join('')}`);
  });
  const client = createS3Client({
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
  });
  return {
    endpoint: server.endpoint,
    env,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
