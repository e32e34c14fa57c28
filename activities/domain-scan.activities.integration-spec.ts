import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { SCANNER_MAX_ATTEMPTS } from '../libs/contracts';
import { createDomainScan, createOrganisation, findScan, findScanResults } from '../libs/db';
import { freePort } from '../libs/embedded/process-utils';
import { createScannerResolver } from '../libs/net/scanner-resolver';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { createDomainScanActivities } from './domain-scan.activities';

/** Runs one activity in Temporal's activity context, keeping its argument and result types. */
function run<A, R>(env: MockActivityEnvironment, fn: (arg: A) => Promise<R>, arg: A): Promise<R> {
  return env.run(fn, arg) as Promise<R>;
}

describe('domain scan activities (real Postgres, lab DNS)', () => {
  let db: TestDatabase;
  let lab: Lab;
  let organisationId: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    organisationId = (await createOrganisation(db.dataSource, { slug: 'acme', name: 'Acme' })).id;
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.close();
    await db?.drop();
  });

  const newScan = async () =>
    (
      await createDomainScan(db.dataSource, {
        organisationId,
        domain: { ascii: 'good.perimeter.test', unicode: 'good.perimeter.test' },
        requestedBy: null,
      })
    ).scan;
  const activities = (servers: string[], timeoutMs = 1000) =>
    createDomainScanActivities({
      dataSource: db.dataSource,
      resolver: createScannerResolver({ servers, timeoutMs, tries: 1 }),
      allowPrivateTargets: true,
    });

  it('writes one result row however often the activity runs', async () => {
    const scan = await newScan();
    const sut = activities(lab.resolvers);
    const env = new MockActivityEnvironment();
    const first = await run(env, sut.dnsInventory, { scanId: scan.id, domain: scan.target });
    const again = await run(env, sut.dnsInventory, { scanId: scan.id, domain: scan.target });
    expect(again.resultId).toBe(first.resultId);
    expect(first).toMatchObject({ scanner: 'dns', status: 'completed' });
    expect(await findScanResults(db.dataSource, scan.id)).toHaveLength(1);
  });

  it('asks again while attempts remain when the resolver does not answer', async () => {
    const scan = await newScan();
    const sut = activities([`127.0.0.1:${await freePort()}`], 300);
    const env = new MockActivityEnvironment({ attempt: 1 });
    const failure = await run(env, sut.dnsInventory, {
      scanId: scan.id,
      domain: scan.target,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DnsAnswersIncomplete', nonRetryable: false });
    expect(await findScanResults(db.dataSource, scan.id)).toHaveLength(0);
  });

  it('records "unknown" on the last attempt instead of failing the scanner', async () => {
    const scan = await newScan();
    const sut = activities([`127.0.0.1:${await freePort()}`], 300);
    const env = new MockActivityEnvironment({ attempt: SCANNER_MAX_ATTEMPTS });
    const summary = await run(env, sut.dnsInventory, { scanId: scan.id, domain: scan.target });
    expect(summary.status).toBe('unknown');
    const [row] = await findScanResults(db.dataSource, scan.id);
    expect(row).toMatchObject({ status: 'unknown', attempt: SCANNER_MAX_ATTEMPTS });
    expect((row.data as { complete: boolean }).complete).toBe(false);
  });

  it('finishes a scan once, recording scanners that failed for good', async () => {
    const scan = await newScan();
    const sut = activities(lab.resolvers);
    const env = new MockActivityEnvironment();
    await run(env, sut.markScanRunning, scan.id);
    expect((await findScan(db.dataSource, scan.id))?.status).toBe('running');
    await run(env, sut.finishScan, {
      scanId: scan.id,
      status: 'failed',
      error: 'every scanner failed',
      failures: [{ scanner: 'dns', error: 'resolver exploded' }],
    });
    const finished = await findScan(db.dataSource, scan.id);
    expect(finished).toMatchObject({ status: 'failed', error: 'every scanner failed' });
    // A late duplicate does not move the finish time or the status.
    await run(env, sut.finishScan, { scanId: scan.id, status: 'completed', failures: [] });
    expect(await findScan(db.dataSource, scan.id)).toEqual(finished);
    const [row] = await findScanResults(db.dataSource, scan.id);
    expect(row).toMatchObject({ scanner: 'dns', status: 'failed', error: 'resolver exploded' });
  });
});
