import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { PerimeterConfig } from '../../../libs/config/config';
import { PgPubSub } from '../../../libs/db';
import type { Logger } from '../../../libs/telemetry';
import { CONFIG, LOGGER } from '../tokens';

export const PG_PUBSUB = Symbol('PgPubSub');

/**
 * One LISTEN connection per API process, shared by every subscription (scan progress today):
 * the database carries the messages, so subscribers on any API instance hear every writer.
 */
@Global()
@Module({
  providers: [
    {
      provide: PG_PUBSUB,
      inject: [CONFIG, LOGGER],
      useFactory: (config: PerimeterConfig, logger: Logger) => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the API');
        return new PgPubSub(config.databaseUrl, {
          onError: (err) => logger.warn({ err }, 'LISTEN connection lost; reconnecting'),
        });
      },
    },
  ],
  exports: [PG_PUBSUB],
})
export class PgPubSubModule implements OnApplicationShutdown {
  constructor(@Inject(PG_PUBSUB) private readonly pubsub: PgPubSub) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pubsub.close();
  }
}
