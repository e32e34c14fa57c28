import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import type { PerimeterConfig } from '../../libs/config/config';
import { assertMigrated, createDataSource } from '../../libs/db';
import { ensureSearchAttributes } from '../../libs/temporal/ensure-search-attributes';
import type { Logger, Telemetry } from '../../libs/telemetry';
import { workerFactories } from './worker-factories';

export class UnknownTaskQueue extends Error {
  override readonly name = 'UnknownTaskQueue';
}

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Starts one worker per configured task queue and resolves when they have all shut down.
 * Temporal's runtime turns SIGINT/SIGTERM into a graceful shutdown of every worker.
 */
export async function runWorkers(config: PerimeterConfig, logger: Logger, telemetry?: Telemetry) {
  const unknown = config.worker.taskQueues.filter((q) => !workerFactories[q]);
  if (unknown.length) {
    throw new UnknownTaskQueue(
      `WORKER_TASK_QUEUES names unknown queue(s): ${unknown.join(', ')}; known: ${Object.keys(workerFactories).join(', ')}`,
    );
  }
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the worker');

  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) =>
      logger[levels[entry.level]]({ ...entry.meta, source: 'temporal' }, entry.message),
    ),
  });

  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    await assertMigrated(dataSource);
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    try {
      const added = await ensureSearchAttributes(connection, config.temporal.namespace);
      if (added.length) logger.info({ added }, 'registered search attributes');
      const workers = await Promise.all(
        config.worker.taskQueues.map((q) =>
          workerFactories[q]({ config, connection, dataSource, telemetry }),
        ),
      );
      logger.info({ taskQueues: config.worker.taskQueues }, 'worker started');
      await Promise.all(workers.map((w) => w.run()));
      logger.info('worker stopped');
    } finally {
      await connection.close();
    }
  } finally {
    await dataSource.destroy();
  }
}
