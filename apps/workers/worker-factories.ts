import path from 'node:path';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createDomainScanActivities } from '../../activities/domain-scan.activities';
import { createGuidanceActivities } from '../../activities/guidance.activities';
import { createProofActivities } from '../../activities/proof.activities';
import { createOrganisationScanActivities } from '../../activities/organisation-scan.activities';
import { createInventoryImportActivities } from '../../activities/surface-import.activities';
import type { PerimeterConfig } from '../../libs/config/config';
import { scannerHttpsOptions } from '../../libs/config/scanner-https';
import { scannerTlsOptions } from '../../libs/config/scanner-tls';
import { TaskQueues } from '../../libs/contracts';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import { findProofSubject } from '../../libs/db/proof.repository';
import { publishResultEvent } from '../../libs/db/result-events';
import { loadTsas } from '../../libs/proof';
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

/** Which worker serves which task queue; the configuration picks the queues a process polls. */
export const workerFactories: Record<string, (deps: WorkerDeps) => Promise<Worker>> = {
  [TaskQueues.domainScans]: createDomainScanWorker,
  [TaskQueues.surface]: createSurfaceWorker,
};
