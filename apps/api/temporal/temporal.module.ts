import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { PerimeterConfig } from '../../../libs/config/config';
import { CONFIG, TEMPORAL_CLIENT } from '../tokens';

/** The Temporal client as a provider: one connection per API process, closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CLIENT,
      inject: [CONFIG],
      // Lazy: the API starts while Temporal is down and says so through /health/ready;
      // mutations that need Temporal answer TEMPORAL_UNAVAILABLE meanwhile.
      useFactory: (config: PerimeterConfig): Client => {
        const connection = Connection.lazy({
          address: config.temporal.address,
          connectTimeout: '3 seconds',
        });
        return new Client({
          connection,
          namespace: config.temporal.namespace,
          // Carries the GraphQL request's trace into the workflow it starts.
          interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
        });
      },
    },
  ],
  exports: [TEMPORAL_CLIENT],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
