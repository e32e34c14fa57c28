import { loadConfig } from '../../libs/config/config';
import { createLogger, startTelemetry } from '../../libs/telemetry';

async function main(): Promise<void> {
  const config = loadConfig();
  // Tracing starts before `pg` is loaded so its instrumentation can patch it.
  const telemetry = startTelemetry({
    serviceName: config.telemetry.serviceName ?? 'perimeter-worker',
    otlpEndpoint: config.telemetry.otlpEndpoint,
  });
  const logger = createLogger('perimeter-worker', config.logLevel);
  const { runWorkers } = await import('./run-workers.js');
  try {
    await runWorkers(config, logger, telemetry);
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    process.exitCode = 1;
  } finally {
    await telemetry.shutdown();
  }
}

void main();
