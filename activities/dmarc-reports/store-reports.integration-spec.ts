import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createOrganisation } from '../../libs/db';
import { generateReportXml } from '../../libs/dmarc-report';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { storeReports } from './store-reports';

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, '../../libs/dmarc-report/fixtures', name));

async function generated(records: number, reportId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of generateReportXml({ reportId, domain: 'example.org', records }))
    chunks.push(c);
  return Buffer.concat(chunks);
}

describe('storeReports (the ingest pipeline) against PostgreSQL', () => {
  let db: TestDatabase;
  let organisationId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    organisationId = (await createOrganisation(db.dataSource, { slug: 'store', name: 'Store' })).id;
  });
  afterAll(() => db?.drop());

  const counts = async () => {
    const [row] = (await db.dataSource.query(
      `SELECT (SELECT count(*) FROM dmarc_report)::int AS reports,
              (SELECT count(*) FROM dmarc_report_record)::int AS records`,
    )) as [{ reports: number; records: number }];
    return row;
  };
  const store = (name: string, data: Buffer) =>
    storeReports(db.dataSource, { name, data, organisationId, uploadId: null });

  it('stores a report over several insert batches with its totals and warnings', async () => {
    const [part] = await store('big.xml', await generated(2500, 'big-1'));
    expect(part).toMatchObject({ duplicate: false, recordCount: 2500, warningCount: 0 });
    const [report] = (await db.dataSource.query(
      `SELECT record_count, message_count::int AS messages,
              (SELECT sum(message_count)::int FROM dmarc_report_record WHERE report_id = r.id) AS summed
         FROM dmarc_report r WHERE id = $1`,
      [part.reportId],
    )) as Array<{ record_count: number; messages: number; summed: number }>;
    expect(report.record_count).toBe(2500);
    expect(report.messages).toBe(report.summed);
  });

  it('leaves no row of a report that breaks after some batches were written', async () => {
    const before = await counts();
    const good = await generated(2500, 'broken-1');
    // Garbage after 2,500 records: more syntax errors than the parser accepts.
    const broken = Buffer.concat([
      good.subarray(0, good.length - '</feedback>\n'.length),
      Buffer.from('<a b c>'.repeat(400)),
    ]);
    const [part] = await store('broken.xml', broken);
    expect(part.error).toMatchObject({ code: 'XML_MALFORMED' });
    expect(await counts()).toEqual(before);
  });

  it('stores a report once however often it comes, also concurrently', async () => {
    const before = await counts();
    const xml = fixture('rfc9990-plain.xml');
    const results = await Promise.all([
      store('a.xml', xml),
      store('b.xml', xml),
      store('c.xml', xml),
    ]);
    const parts = results.flat();
    expect(parts.filter((p) => p.duplicate === false)).toHaveLength(1);
    expect(parts.filter((p) => p.duplicate === true)).toHaveLength(2);
    expect(new Set(parts.map((p) => p.reportId)).size).toBe(1);
    expect(await counts()).toEqual({ reports: before.reports + 1, records: before.records + 1 });
  });

  it('keeps reports of the same reporter and id apart between organisations', async () => {
    const other = await createOrganisation(db.dataSource, { slug: 'store-2', name: 'Other' });
    const [part] = await storeReports(db.dataSource, {
      name: 'a.xml',
      data: fixture('rfc9990-plain.xml'),
      organisationId: other.id,
      uploadId: null,
    });
    expect(part.duplicate).toBe(false);
  });
});
