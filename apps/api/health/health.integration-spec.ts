import { afterEach, describe, expect, inject, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../create-api-app';
import { DatabaseNotMigrated } from '../../../libs/db';
import { freePort } from '../../../libs/embedded/process-utils';
import { createLogger } from '../../../libs/telemetry';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { createOrganisationWithKey } from '../../../test/support/test-principals';
import { testConfig } from '../../../test/support/test-stack';

const logger = createLogger('perimeter-test', 'silent');

describe('API start-up and health', () => {
  let db: TestDatabase | undefined;
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    await db?.drop();
    app = db = undefined;
  });

  async function listen(env: Record<string, string>) {
    app = await createApiApp(testConfig(env), logger);
    await app.listen(0, '127.0.0.1');
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it('refuses to start against an unmigrated database, naming the fix', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    const refusal = await createApiApp(testConfig({ DATABASE_URL: db.url }), logger).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(DatabaseNotMigrated);
    expect((refusal as Error).message).toContain('npm run db:migrate');
  });

  it('is live and ready when Postgres and Temporal answer', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const url = await listen({ DATABASE_URL: db.url });
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'up' }, temporal: { status: 'up' } },
    });
  });

  it('starts without Temporal, reports not ready, and refuses scans with a typed error', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const url = await listen({
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(body.checks.postgres.status).toBe('up');
    expect(body.checks.temporal.status).toBe('down');

    const { organisationId, token } = await createOrganisationWithKey(db.dataSource, {
      role: 'operator',
    });
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation { requestDomainScan(organisationId: "${organisationId}", domain: "good.perimeter.test") { id } }`,
      }),
    });
    const answer = (await res.json()) as {
      errors: Array<{ extensions: { code: string; scanId: string } }>;
    };
    expect(answer.errors[0].extensions.code).toBe('TEMPORAL_UNAVAILABLE');
    // The scan is recorded as failed, with the reason, rather than left queued forever.
    const [scan] = (await db.dataSource.query(`SELECT status, error FROM scan WHERE id = $1`, [
      answer.errors[0].extensions.scanId,
    ])) as Array<{ status: string; error: string }>;
    expect(scan.status).toBe('failed');
    expect(scan.error).toMatch(/could not start the scan workflow/);
  });
});
