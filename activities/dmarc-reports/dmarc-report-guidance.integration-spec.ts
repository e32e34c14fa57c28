import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createOrganisation } from '../../libs/db/access.repository';
import { findGuidanceTags } from '../../libs/db/guidance.repository';
import { createDomainScan } from '../../libs/db/scans.repository';
import { evaluateScanGuidance } from '../guidance.activities';
import { storeReports } from './store-reports';

const day = (offset: number) => Math.floor(Date.now() / 1000) - offset * 86_400;

/** An aggregate report for `domain` covering yesterday: rows of [ip, count, dkim, spf]. */
function report(domain: string, id: string, rows: Array<[string, number, string, string]>) {
  const records = rows
    .map(
      ([ip, count, dkim, spf]) => `<record><row><source_ip>${ip}</source_ip><count>${count}</count>
        <policy_evaluated><disposition>none</disposition><dkim>${dkim}</dkim><spf>${spf}</spf></policy_evaluated></row>
        <identifiers><header_from>${domain}</header_from></identifiers>
        <auth_results><spf><domain>${domain}</domain><result>${spf}</result></spf></auth_results></record>`,
    )
    .join('');
  return Buffer.from(`<?xml version="1.0"?><feedback><version>1.0</version>
    <report_metadata><org_name>receiver.example</org_name><email>r@receiver.example</email>
      <report_id>${id}</report_id><date_range><begin>${day(1)}</begin><end>${day(1) + 86_399}</end></date_range></report_metadata>
    <policy_published><domain>${domain}</domain><p>none</p><sp>none</sp><pct>100</pct></policy_published>
    ${records}</feedback>`);
}

describe('DMARC aggregate reports feed the domain’s guidance (real PostgreSQL)', () => {
  let db: TestDatabase;
  let organisationId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    organisationId = (await createOrganisation(db.dataSource, { slug: 'r', name: 'R' })).id;
  }, 120_000);
  afterAll(() => db?.drop());

  async function scanTags(domain: string) {
    const { scan } = await createDomainScan(db.dataSource, {
      organisationId,
      domain: { ascii: domain, unicode: domain },
      requestedBy: null,
    });
    expect(await evaluateScanGuidance(db.dataSource, scan.id)).not.toBeNull();
    return findGuidanceTags(db.dataSource, scan.id);
  }

  it('tags a domain whose reported mail fails DMARC, naming the sources', async () => {
    await storeReports(db.dataSource, {
      name: 'r.xml',
      data: report('spoofed.example.test', 'r-1', [
        ['192.0.2.10', 90, 'pass', 'pass'],
        ['198.51.100.7', 8, 'fail', 'fail'],
        ['203.0.113.5', 2, 'fail', 'fail'],
      ]),
      organisationId,
      uploadId: null,
    });
    const tags = await scanTags('spoofed.example.test');
    const failing = tags.find((t) => t.tagId === 'dmarc-reports.failing-sources');
    expect(failing).toMatchObject({ severity: 'warning', scanner: 'dmarc-reports' });
    expect(failing!.message).toMatch(
      /^10 of 100 messages \(10%\) reported from .* failed DMARC, from 2 source\(s\); most: 198\.51\.100\.7: 8, 203\.0\.113\.5: 2\.$/,
    );
    expect(tags.some((t) => t.tagId === 'dmarc-reports.all-pass')).toBe(false);
  });

  it('says so when every reported message passed; says nothing without reports', async () => {
    await storeReports(db.dataSource, {
      name: 'r.xml',
      data: report('clean.example.test', 'r-2', [['192.0.2.10', 40, 'pass', 'fail']]),
      organisationId,
      uploadId: null,
    });
    expect((await scanTags('clean.example.test')).map((t) => t.tagId)).toContain(
      'dmarc-reports.all-pass',
    );
    const none = await scanTags('unreported.example.test');
    expect(none.filter((t) => t.tagId.startsWith('dmarc-reports.'))).toEqual([]);
  });
});
