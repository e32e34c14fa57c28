import { afterEach, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import {
  DatabaseNotMigrated,
  assertMigrated,
  pendingMigrations,
  runMigrations,
} from './migration-status';
import { createOrganisation } from './access.repository';
import { migrations } from './migrations';
import { createDomainScan, findScanResults, upsertScanResult } from './scans.repository';

const ALL = migrations.map((m) => m.name);

describe('migrations', () => {
  let db: TestDatabase;
  afterEach(() => db?.drop());

  it('an empty database has every migration pending and is refused with a clear message', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    expect(await pendingMigrations(db.dataSource)).toEqual(ALL);
    const refusal = await assertMigrated(db.dataSource).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DatabaseNotMigrated);
    expect((refusal as Error).message).toMatch(
      new RegExp(`missing ${ALL.length} migration.*npm run db:migrate`),
    );
  });

  it('applies the schema once; a second run applies nothing', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    expect(await runMigrations(db.dataSource)).toEqual(ALL);
    expect(await runMigrations(db.dataSource)).toEqual([]);
    await expect(assertMigrated(db.dataSource)).resolves.toBeUndefined();
    const tables = (await db.dataSource.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    )) as Array<{ tablename: string }>;
    expect(tables.map((t) => t.tablename)).toEqual([
      'api_key',
      'app_user',
      'audit_log',
      'bucket',
      'bucket_object_result',
      'bucket_sweep',
      'cloud_environment',
      'dmarc_report',
      'dmarc_report_record',
      'dmarc_report_upload',
      'dmarc_source',
      'domain',
      'guidance_evaluation',
      'guidance_tag',
      'inventory_upload',
      'inventory_version',
      'membership',
      'migrations',
      'organisation',
      'organisation_scan',
      'probe',
      'probe_result',
      'recurring_audit',
      'result_timestamp',
      'scan',
      'scan_progress',
      'scan_result',
      'surface_query',
    ]);
    const indexes = (await db.dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
    )) as Array<{ indexname: string }>;
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining([
        'domain_organisation_name_key',
        'scan_domain_requested_idx',
        'scan_active_idx',
        'scan_result_scan_scanner_key',
        'scan_workflow_id_key',
      ]),
    );
  });

  it('reverts cleanly, newest first', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    for (let undone = 1; undone <= ALL.length; undone++) {
      await db.dataSource.undoLastMigration();
      expect(await pendingMigrations(db.dataSource)).toEqual(ALL.slice(-undone));
    }
    // And forward again, from nothing.
    expect(await runMigrations(db.dataSource)).toEqual(ALL);
  });
});

describe('scan records', () => {
  let db: TestDatabase;
  afterEach(() => db?.drop());

  it('writing the same scanner result twice leaves one row holding the latest attempt', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const organisation = await createOrganisation(db.dataSource, { slug: 'acme', name: 'Acme' });
    const { scan } = await createDomainScan(db.dataSource, {
      organisationId: organisation.id,
      domain: { ascii: 'example.test', unicode: 'example.test' },
      requestedBy: null,
    });
    const write = (attempt: number) =>
      upsertScanResult(db.dataSource, {
        scanId: scan.id,
        scanner: 'dns',
        status: 'completed',
        data: { attempt },
        error: null,
        attempt,
        startedAt: new Date(),
        finishedAt: new Date(),
      });
    const first = await write(1);
    const second = await write(2);
    expect(second).toBe(first);
    const rows = await findScanResults(db.dataSource, scan.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ attempt: 2, data: { attempt: 2 } });
  });

  it('the same domain requested twice is one domain row with two scans', async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const name = { ascii: 'xn--bcher-kva.test', unicode: 'bücher.test' };
    const { id: organisationId } = await createOrganisation(db.dataSource, {
      slug: 'acme',
      name: 'Acme',
    });
    const a = await createDomainScan(db.dataSource, {
      organisationId,
      domain: name,
      requestedBy: null,
    });
    const b = await createDomainScan(db.dataSource, {
      organisationId,
      domain: name,
      requestedBy: 'user:x',
    });
    expect(b.domain.id).toBe(a.domain.id);
    expect(b.scan.id).not.toBe(a.scan.id);
    expect(a.scan).toMatchObject({ status: 'queued', target: 'xn--bcher-kva.test' });
    expect(a.scan.workflowId).toBe(`domain-scan:${a.scan.id}`);
  });
});
