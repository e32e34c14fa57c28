import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createDmarcReportsActivities } from '../../activities/dmarc-reports.worker-activities';
import { createDomainScanActivities } from '../../activities/domain-scan.activities';
import { createGuidanceActivities } from '../../activities/guidance.activities';
import { createProofActivities } from '../../activities/proof.activities';
import { createOrganisationScanActivities } from '../../activities/organisation-scan.activities';
import { createInventoryImportActivities } from '../../activities/surface-import.activities';
import { createBucketScanActivities } from '../../activities/buckets/bucket-scan.activities';
import { ClamdClient, parseClamdAddress } from '../../activities/buckets/clamd-client';
import { createS3Client } from '../../libs/s3';
import type { PerimeterConfig } from '../../libs/config/config';
import { scannerHttpsOptions } from '../../libs/config/scanner-https';
import { scannerTlsOptions } from '../../libs/config/scanner-tls';
import { TaskQueues } from '../../libs/contracts';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import { findProofSubject } from '../../libs/db/proof.repository';
import { publishResultEvent } from '../../libs/db/result-events';
import { loadTsas } from '../../libs/proof';
import {
  ensureDmarcBucketSchedule,
  ensureDmarcMailboxSchedule,
} from '../../libs/temporal/dmarc-mailbox-schedule';
import { workflowSpanProcessor, type Telemetry } from '../../libs/telemetry';

export interface WorkerDeps {
  config: PerimeterConfig;
  connection: NativeConnection;
  dataSource: DataSource;
  telemetry?: Telemetry;
  /** A prebuilt workflow bundle; without it the worker bundles `workflows/` at start. */
  workflowBundle?: WorkflowBundle;
}

/** What every Perimeter worker shares: connection, workflows, shutdown, tracing. */
function commonOptions(deps: WorkerDeps) {
  return {
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: path.join(__dirname, '../../workflows') }),
    // In-flight activities get this long to finish after SIGTERM; then they are cancelled and
    // handed back to the server for another worker.
    shutdownGraceTime: deps.config.worker.shutdownGraceMs,
    plugins: deps.telemetry
      ? [
          new OpenTelemetryPlugin({
            // Temporal's plugin is typed against OpenTelemetry 1.x; the 2.x objects fit at runtime.
            resource: deps.telemetry.resource as never,
            spanProcessor: workflowSpanProcessor(deps.telemetry.spanProcessor) as never,
          }),
        ]
      : [],
  };
}

/**
 * The worker for domain scans: `domainScan`, and the organisation scans and audit runs that
 * start domain scans as children, with their activities, and the time-stamping of results.
 */
export async function createDomainScanWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  const resolver = createScannerResolver({
    servers: config.scanners.resolvers,
    timeoutMs: config.scanners.dnsTimeoutMs,
    tries: config.scanners.dnsTries,
  });
  return Worker.create({
    ...commonOptions(deps),
    taskQueue: TaskQueues.domainScans,
    activities: {
      ...createDomainScanActivities({
        dataSource: deps.dataSource,
        resolver,
        allowPrivateTargets: config.scanners.allowPrivateTargets,
        extraPublicSuffixes: config.scanners.extraPublicSuffixes,
        https: scannerHttpsOptions(config),
        tls: scannerTlsOptions(config),
      }),
      ...createGuidanceActivities({ dataSource: deps.dataSource }),
      // Time-stamping runs after each scan, on the same queue.
      ...createProofActivities({
        dataSource: deps.dataSource,
        tsas: await loadTsas(config.proof),
        timeoutMs: config.proof.timeoutMs,
        onStamped: async (subject) => {
          const found = await findProofSubject(deps.dataSource, subject.id);
          if (!found) return;
          await publishResultEvent(deps.dataSource, {
            type: 'timestamped',
            organisationId: found.organisationId,
            resultId: subject.id,
            resultKind: subject.kind,
          });
        },
      }),
      ...createOrganisationScanActivities({
        dataSource: deps.dataSource,
        concurrency: config.organisationScanConcurrency,
      }),
    },
  });
}

/** The worker for inventory imports (CPU-heavy): one at a time per process. */
export function createSurfaceWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    ...commonOptions(deps),
    taskQueue: TaskQueues.surface,
    activities: createInventoryImportActivities({ dataSource: deps.dataSource }),
    maxConcurrentActivityTaskExecutions: 1,
  });
}

/** The worker for bucket malware scanning: objects stream from S3 to clamd. */
export function createBucketWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  return Worker.create({
    ...commonOptions(deps),
    taskQueue: TaskQueues.buckets,
    activities: createBucketScanActivities({
      dataSource: deps.dataSource,
      s3: createS3Client(config.s3),
      clamd: new ClamdClient(
        parseClamdAddress(config.buckets.clamdAddress),
        config.buckets.clamdTimeoutMs,
      ),
      sweepConcurrency: config.buckets.sweepConcurrency,
      allowPrivateTargets: config.scanners.allowPrivateTargets,
    }),
  });
}

/** The worker for DMARC aggregate reports: ingest, enrichment, mailbox and bucket polling. */
export async function createDmarcReportsWorker(deps: WorkerDeps): Promise<Worker> {
  const { imap, bucket } = deps.config.dmarc;
  if (imap || bucket) {
    // The sources are polled by Temporal Schedules, made (or updated) when this worker starts.
    const connection = await Connection.connect({ address: deps.config.temporal.address });
    try {
      const client = new Client({ connection, namespace: deps.config.temporal.namespace });
      if (imap) await ensureDmarcMailboxSchedule(client, imap.pollSeconds);
      if (bucket) await ensureDmarcBucketSchedule(client, bucket.pollSeconds);
    } finally {
      await connection.close();
    }
  }
  return Worker.create({
    ...commonOptions(deps),
    taskQueue: TaskQueues.dmarcReports,
    activities: createDmarcReportsActivities({ config: deps.config, dataSource: deps.dataSource }),
    // Ingest is CPU-bound parsing; two at a time keep a core busy while the other waits on SQL.
    maxConcurrentActivityTaskExecutions: 2,
  });
}

/** Which worker serves which task queue; the configuration picks the queues a process polls. */
export const workerFactories: Record<string, (deps: WorkerDeps) => Promise<Worker>> = {
  [TaskQueues.domainScans]: createDomainScanWorker,
  [TaskQueues.surface]: createSurfaceWorker,
  [TaskQueues.buckets]: createBucketWorker,
  [TaskQueues.dmarcReports]: createDmarcReportsWorker,
};
