import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../libs/embedded/embedded-postgres';
import { freePort } from '../libs/embedded/process-utils';
import { startTemporalDevServer } from '../libs/embedded/temporal-dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
  }
}

/** One real PostgreSQL and one real Temporal dev server for the whole integration run. */
export default async function setup(project: TestProject) {
  // Directly under the temp dir: PostgreSQL runs as the `postgres` user when we are root.
  const dataDir = path.join(tmpdir(), `perimeter-test-pg-${randomBytes(4).toString('hex')}`);
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const pgLog: string[] = [];
  const temporalLog: string[] = [];
  const postgres = await startEmbeddedPostgres({
    dataDir,
    port: pgPort,
    fast: true,
    onLog: (l) => pgLog.push(l),
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${pgLog.join('')}`);
  });
  const temporal = await startTemporalDevServer({
    port: temporalPort,
    onLog: (l) => temporalLog.push(l),
  }).catch(async (err: Error) => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`${err.message}\n${temporalLog.slice(-50).join('')}`);
  });
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('temporalAddress', temporal.address);

  return async () => {
    await temporal.stop();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
