import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PerimeterConfig } from '../../../libs/config/config';
import { assertMigrated, createDataSource } from '../../../libs/db';
import { CONFIG, DATA_SOURCE } from '../tokens';

@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [CONFIG],
      // Refuses to start against a database the code's migrations have not reached.
      useFactory: async (config: PerimeterConfig): Promise<DataSource> => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the API');
        const ds = await createDataSource(config.databaseUrl).initialize();
        try {
          await assertMigrated(ds);
        } catch (err) {
          await ds.destroy();
          throw err;
        }
        return ds;
      },
    },
  ],
  exports: [DATA_SOURCE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
