import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../libs/config/config';
import { createDataSource } from '../../../libs/db';

/** Runs a command against DATABASE_URL's database, closing it afterwards; exit 2 without one. */
export async function withDatabase(
  out: (line: string) => void,
  run: (ds: DataSource) => Promise<number>,
): Promise<number> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) {
    out('DATABASE_URL is not set');
    return 2;
  }
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    return await run(ds);
  } finally {
    await ds.destroy();
  }
}
