import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApiApp } from '../../apps/api/create-api-app';
import { workerFactories } from '../../apps/workers/worker-factories';
import { TaskQueues } from '../../libs/contracts';
import { loadConfig, type PerimeterConfig } from '../../libs/config/config';
import { createLogger, type Telemetry } from '../../libs/telemetry';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Lab } from '../../lab/lab';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestNamespace } from './test-namespace';
import { createOrganisationWithKey } from './test-principals';

export function testConfig(overrides: Record<string, string> = {}): PerimeterConfig {
  return loadConfig({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    API_PORT: '0',
    LOG_LEVEL: 'silent',
    ALLOW_PRIVATE_TARGETS: 'true',
    SCANNER_EXTRA_PUBLIC_SUFFIXES: 'perimeter.test',
    SCANNER_DNS_TIMEOUT_MS: '1000',
    SCANNER_DNS_TRIES: '1',
    ...overrides,
  });
}

export interface TestStack {
  config: PerimeterConfig;
  /** An organisation, and an admin API key for it that `graphql` sends by default. */
  organisationId: string;
  token: string;
  db: TestDatabase;
  api: INestApplication;
  graphqlUrl: string;
  client: Client;
  /** An in-process worker for one task queue (domain scans by default). */
  startWorker(queue?: string): Promise<Worker>;
  /** POSTs a GraphQL operation and returns the parsed body. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    /** Bearer token to send instead of the stack's admin key; null sends none. */
    token?: string | null,
  ): Promise<{
    data?: T;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }>;
  stop(): Promise<void>;
}

/** The API (over real HTTP) and in-process workers, against the run's Postgres and Temporal. */
export async function startTestStack(opts: {
  /** The lab: its resolver, CA and HTTPS port become the scanners' configuration. */
  lab?: Lab;
  env?: Record<string, string>;
  telemetry?: Telemetry;
}): Promise<TestStack> {
  const db = await createTestDatabase(inject('pgAdminUrl'));
  const namespace = await createTestNamespace(inject('temporalAddress'));
  const labEnv: Record<string, string> = {};
  if (opts.lab) {
    const caFile = path.join(tmpdir(), `perimeter-lab-ca-${namespace}.pem`);
    await writeFile(caFile, opts.lab.https.caPem);
    Object.assign(labEnv, {
      SCANNER_RESOLVERS: opts.lab.resolvers.join(','),
      SCANNER_EXTRA_CA_FILES: caFile,
      SCANNER_HTTPS_PORT: String(opts.lab.https.port),
      SCANNER_TLS_PORT: String(opts.lab.tls.port),
      SCANNER_SMTP_PORT: String(opts.lab.smtp.port),
      SCANNER_HTTP_PORT: String(opts.lab.http.port),
      SCANNER_WEB_TIMEOUT_MS: '1500',
    });
  }
  const config = testConfig({
    DATABASE_URL: db.url,
    TEMPORAL_NAMESPACE: namespace,
    ...labEnv,
    ...opts.env,
  });
  const logger = createLogger('perimeter-test', 'silent');
  const { organisationId, token } = await createOrganisationWithKey(db.dataSource);
  const api = await createApiApp(config, logger, opts.telemetry);
  await api.listen(0, '127.0.0.1');
  const graphqlUrl = `${(await api.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
  const client = new Client({
    connection: await Connection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
  });
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  let workerConnection: NativeConnection | undefined;

  return {
    config,
    organisationId,
    token,
    db,
    api,
    graphqlUrl,
    client,
    async startWorker(queue = TaskQueues.domainScans) {
      workerConnection ??= await NativeConnection.connect({ address: config.temporal.address });
      const worker = await workerFactories[queue]({
        config,
        connection: workerConnection,
        dataSource: db.dataSource,
        telemetry: opts.telemetry,
      });
      workers.push({ worker, running: worker.run() });
      return worker;
    },
    async graphql(query, variables, as) {
      const bearer = as === undefined ? token : as;
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async stop() {
      for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      await Promise.all(workers.map((w) => w.running));
      await workerConnection?.close();
      await client.connection.close();
      await api.close();
      await db.drop();
    },
  };
}

export async function waitForScan(
  stack: TestStack,
  id: string,
  until: (scan: { status: string }) => boolean = (s) => !['QUEUED', 'RUNNING'].includes(s.status),
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, errors } = await stack.graphql<{ scan: { status: string } }>(
      `query($id: ID!) { scan(id: $id) { id status } }`,
      { id },
    );
    if (errors) throw new Error(JSON.stringify(errors));
    if (data && until(data.scan)) return data.scan;
    if (Date.now() > deadline) throw new Error(`scan ${id} still ${data?.scan.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
