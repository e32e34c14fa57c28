import { loadConfig } from '../../libs/config/config';
import { createLogger, startTelemetry } from '../../libs/telemetry';

async function main(): Promise<void> {
  const config = loadConfig();
  // Tracing starts before the HTTP server and `pg` are loaded so their instrumentations patch them.
  const telemetry = startTelemetry({
    serviceName: config.telemetry.serviceName ?? 'perimeter-api',
    otlpEndpoint: config.telemetry.otlpEndpoint,
  });
  const logger = createLogger('perimeter-api', config.logLevel);
  const { createApiApp } = await import('./create-api-app.js');
  try {
    const app = await createApiApp(config, logger, telemetry);
    await app.listen(config.api.port, config.api.host);
    logger.info(
      { url: `http://${config.api.host}:${config.api.port}/graphql` },
      'GraphQL API listening',
    );
    const stop = async () => {
      await app.close();
      await telemetry.shutdown();
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    await telemetry.shutdown();
    process.exitCode = 1;
  }
}

void main();
