import { DataSource, type DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

export const MIGRATIONS_TABLE = 'migrations';

export function createDataSource(url: string, extra: Partial<DataSourceOptions> = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    // The schema changes only through migrations.
    synchronize: false,
    migrationsRun: false,
    logging: false,
    ...extra,
  } as DataSourceOptions);
}
