import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { guidanceCatalogue, evaluateGuidance } from '../guidance';
import { dkim, dmarc, spf } from '../guidance/test-results';
import { createOrganisation } from './access.repository';
import {
  findGuidanceTags,
  organisationComplianceAt,
  saveGuidanceEvaluation,
} from './guidance.repository';
import { createDomainScan } from './scans.repository';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

describe('guidance repository', () => {
  let db: TestDatabase;
  let organisationId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    organisationId = (await createOrganisation(db.dataSource, { slug: 'g', name: 'G' })).id;
  }, 120_000);
  afterAll(() => db?.drop());

  /** A scan of `domain` at `hoursAfterT0`, evaluated: SPF and DKIM in place, DMARC as given. */
  async function evaluated(domain: string, hoursAfterT0: number, policy: 'none' | 'reject') {
    const { scan } = await createDomainScan(db.dataSource, {
      organisationId,
      domain: { ascii: domain, unicode: domain },
      requestedBy: null,
    });
    const at = new Date(T0 + hoursAfterT0 * HOUR);
    await db.dataSource.query(`UPDATE scan SET requested_at = $2, started_at = $2 WHERE id = $1`, [
      scan.id,
      at,
    ]);
    const evaluation = evaluateGuidance(guidanceCatalogue(), [
      dmarc(policy),
      spf('v=spf1 -all'),
      dkim([{ selector: 's1' }]),
    ]);
    expect(await saveGuidanceEvaluation(db.dataSource, scan.id, evaluation)).toBe(true);
    return scan.id;
  }

  it('counts each domain as of its newest scan before each moment', async () => {
    // a: reject at 1h (maintain), none at 5h (deploy), reject at 9h; b: two evaluations at the
    // very same moment, both none; c: never scanned.
    await evaluated('a.example.test', 1, 'reject');
    await evaluated('a.example.test', 5, 'none');
    await evaluated('a.example.test', 9, 'reject');
    await evaluated('b.example.test', 3, 'none');
    await evaluated('b.example.test', 3, 'none');
    await createDomainScan(db.dataSource, {
      organisationId,
      domain: { ascii: 'c.example.test', unicode: 'c.example.test' },
      requestedBy: null,
    });
    // Moments before, between, exactly at and after the scans.
    const moments = [0, 1, 2, 3, 4, 5, 5.5, 9, 10, 100].map((h) => new Date(T0 + h * HOUR));
    const got = await organisationComplianceAt(db.dataSource, organisationId, moments);
    // The definition, computed by hand from every stored row.
    const rows: Array<{
      domain_id: string;
      scanned_at: Date;
      scan_id: string;
      dmarc_phase: string;
    }> = await db.dataSource.query(
      `SELECT domain_id, scanned_at, scan_id, dmarc_phase FROM guidance_evaluation
         WHERE organisation_id = $1`,
      [organisationId],
    );
    for (const at of moments) {
      const newest = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        if (r.scanned_at.getTime() >= at.getTime()) continue;
        const seen = newest.get(r.domain_id);
        const later =
          !seen ||
          r.scanned_at.getTime() > seen.scanned_at.getTime() ||
          (r.scanned_at.getTime() === seen.scanned_at.getTime() && r.scan_id > seen.scan_id);
        if (later) newest.set(r.domain_id, r);
      }
      const counts = got.get(at.getTime())!;
      expect(counts.domains).toBe(3);
      expect(counts.evaluated, at.toISOString()).toBe(newest.size);
      for (const phase of ['deploy', 'maintain'] as const) {
        expect(counts.phases[phase], `${phase} at ${at.toISOString()}`).toBe(
          [...newest.values()].filter((r) => r.dmarc_phase === phase).length,
        );
      }
    }
    const at = (h: number) => got.get(T0 + h * HOUR)!;
    expect(at(0)).toMatchObject({ domains: 3, evaluated: 0 });
    expect(at(1)).toMatchObject({ evaluated: 0 }); // "before" the moment: a scan at 1h is not yet
    expect(at(2)).toMatchObject({ evaluated: 1, phases: { maintain: 1 } });
    expect(at(5.5)).toMatchObject({ evaluated: 2, phases: { deploy: 2, maintain: 0 } });
    expect(at(100)).toMatchObject({ evaluated: 2, phases: { deploy: 1, maintain: 1 } });
  });

  it('re-saving an evaluation replaces its tags; an unknown scan stores nothing', async () => {
    const id = await evaluated('d.example.test', 1, 'none');
    const again = evaluateGuidance(guidanceCatalogue(), [dmarc('reject'), spf('v=spf1 -all')]);
    await saveGuidanceEvaluation(db.dataSource, id, again);
    const tags = (await findGuidanceTags(db.dataSource, id)).map((t) => t.tagId);
    expect(tags).toContain('dmarc.policy-reject');
    expect(tags).not.toContain('dmarc.policy-none');
    expect(
      await saveGuidanceEvaluation(db.dataSource, '00000000-0000-4000-8000-000000000000', again),
    ).toBe(false);
    const [{ n }] = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM guidance_tag WHERE scan_id = '00000000-0000-4000-8000-000000000000'`,
    );
    expect(n).toBe(0);
  });
});
