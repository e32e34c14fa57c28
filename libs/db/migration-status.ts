import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from './data-source';

/** The database's schema is older than the code: start-up refuses rather than fail later. */
export class DatabaseNotMigrated extends Error {
  override readonly name = 'DatabaseNotMigrated';
  constructor(readonly pending: string[]) {
    super(
      `The database is missing ${pending.length} migration(s): ${pending.join(', ')}. ` +
        'Run `npm run db:migrate` (or `perimeter db migrate`) first.',
    );
  }
}

export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const [{ exists }] = (await ds.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
    `public.${MIGRATIONS_TABLE}`,
  ])) as Array<{ exists: boolean }>;
  const applied = new Set<string>();
  if (exists) {
    const rows = (await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)) as Array<{
      name: string;
    }>;
    for (const r of rows) applied.add(r.name);
  }
  return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
}

export async function assertMigrated(ds: DataSource): Promise<void> {
  const pending = await pendingMigrations(ds);
  if (pending.length > 0) throw new DatabaseNotMigrated(pending);
}

/** Applies pending migrations, each in its own transaction; returns the names applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
