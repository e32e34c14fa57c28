import { pendingMigrations, runMigrations } from '../../../libs/db';
import { withDatabase } from './with-database';

/** `perimeter db migrate|status`: the only way the schema changes. */
export async function dbCommand(sub: string | undefined, out = console.log): Promise<number> {
  return withDatabase(out, async (ds) => {
    if (sub === 'migrate') {
      const applied = await runMigrations(ds);
      out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    if (sub === 'status') {
      const pending = await pendingMigrations(ds);
      out(pending.length ? `pending: ${pending.join(', ')}` : 'database is up to date');
      return pending.length ? 1 : 0;
    }
    out('usage: perimeter db migrate|status');
    return 2;
  });
}
