import type { DataSource } from 'typeorm';
import type { KeysetQuery } from './keyset-page';
import type {
  ComplianceStatus,
  CriterionResult,
  DmarcPhase,
  GuidanceEvaluation,
} from '../guidance';

export interface StoredEvaluation {
  scanId: string;
  organisationId: string | null;
  domainId: string | null;
  catalogueVersion: string;
  scannedAt: Date;
  evaluatedAt: Date;
  web: ComplianceStatus;
  mail: ComplianceStatus;
  dmarcPhase: DmarcPhase;
  criteria: CriterionResult[];
  uncatalogued: string[];
}

export interface StoredTag {
  tagId: string;
  area: string;
  severity: 'pass' | 'info' | 'warning' | 'fail';
  scanner: string | null;
  message: string;
  evidence: Record<string, unknown> | null;
}

interface EvaluationRow {
  scan_id: string;
  organisation_id: string | null;
  domain_id: string | null;
  catalogue_version: string;
  scanned_at: Date;
  evaluated_at: Date;
  web_status: ComplianceStatus;
  mail_status: ComplianceStatus;
  dmarc_phase: DmarcPhase;
  criteria: CriterionResult[];
  uncatalogued: string[];
}

const EVALUATION_COLUMNS = `e.scan_id, e.organisation_id, e.domain_id, e.catalogue_version, e.scanned_at,
  e.evaluated_at, e.web_status, e.mail_status, e.dmarc_phase, e.criteria, e.uncatalogued`;

function evaluationOf(r: EvaluationRow): StoredEvaluation {
  return {
    scanId: r.scan_id,
    organisationId: r.organisation_id,
    domainId: r.domain_id,
    catalogueVersion: r.catalogue_version,
    scannedAt: r.scanned_at,
    evaluatedAt: r.evaluated_at,
    web: r.web_status,
    mail: r.mail_status,
    dmarcPhase: r.dmarc_phase,
    criteria: r.criteria,
    uncatalogued: r.uncatalogued,
  };
}

/**
 * Stores a scan's evaluation and its tags in one transaction, replacing an earlier evaluation of
 * the same scan: a retried activity or a re-evaluation never leaves a mix of two catalogues.
 * Returns false when the scan does not exist.
 */
export async function saveGuidanceEvaluation(
  ds: DataSource,
  scanId: string,
  evaluation: GuidanceEvaluation,
): Promise<boolean> {
  return ds.transaction(async (m) => {
    const [row] = (await m.query(
      `INSERT INTO guidance_evaluation (scan_id, organisation_id, domain_id, catalogue_version,
         scanned_at, evaluated_at, web_status, mail_status, dmarc_phase, criteria, uncatalogued)
       SELECT s.id, s.organisation_id, s.domain_id, $2, COALESCE(s.started_at, s.requested_at),
         now(), $3, $4, $5, $6, $7
       FROM scan s WHERE s.id = $1
       ON CONFLICT (scan_id) DO UPDATE SET
         catalogue_version = EXCLUDED.catalogue_version, evaluated_at = EXCLUDED.evaluated_at,
         web_status = EXCLUDED.web_status, mail_status = EXCLUDED.mail_status,
         dmarc_phase = EXCLUDED.dmarc_phase, criteria = EXCLUDED.criteria,
         uncatalogued = EXCLUDED.uncatalogued
       RETURNING scan_id`,
      [
        scanId,
        evaluation.catalogueVersion,
        evaluation.compliance.web,
        evaluation.compliance.mail,
        evaluation.compliance.dmarcPhase,
        JSON.stringify(evaluation.compliance.criteria),
        evaluation.uncatalogued,
      ],
    )) as Array<{ scan_id: string }>;
    if (!row) return false;
    await m.query(`DELETE FROM guidance_tag WHERE scan_id = $1`, [scanId]);
    const t = evaluation.tags;
    if (t.length > 0) {
      await m.query(
        `INSERT INTO guidance_tag (scan_id, tag_id, area, severity, scanner, message, evidence)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])`,
        [
          scanId,
          t.map((x) => x.tagId),
          t.map((x) => x.area),
          t.map((x) => x.severity),
          t.map((x) => x.scanner),
          t.map((x) => x.message),
          t.map((x) => (x.evidence ? JSON.stringify(x.evidence) : null)),
        ],
      );
    }
    return true;
  });
}

export async function findGuidanceEvaluation(
  ds: DataSource,
  scanId: string,
): Promise<StoredEvaluation | null> {
  const rows = (await ds.query(
    `SELECT ${EVALUATION_COLUMNS} FROM guidance_evaluation e WHERE e.scan_id = $1`,
    [scanId],
  )) as EvaluationRow[];
  return rows[0] ? evaluationOf(rows[0]) : null;
}

const SEVERITY_RANK = `CASE severity WHEN 'fail' THEN 0 WHEN 'warning' THEN 1 WHEN 'info' THEN 2 ELSE 3 END`;

export async function findGuidanceTags(ds: DataSource, scanId: string): Promise<StoredTag[]> {
  const rows = (await ds.query(
    `SELECT tag_id, area, severity, scanner, message, evidence FROM guidance_tag
     WHERE scan_id = $1 ORDER BY ${SEVERITY_RANK}, tag_id`,
    [scanId],
  )) as Array<{
    tag_id: string;
    area: string;
    severity: StoredTag['severity'];
    scanner: string | null;
    message: string;
    evidence: Record<string, unknown> | null;
  }>;
  return rows.map((r) => ({
    tagId: r.tag_id,
    area: r.area,
    severity: r.severity,
    scanner: r.scanner,
    message: r.message,
    evidence: r.evidence,
  }));
}

/** The newest evaluation of a domain (by the time of its scan). */
export async function latestDomainEvaluation(
  ds: DataSource,
  domainId: string,
): Promise<StoredEvaluation | null> {
  const rows = (await ds.query(
    `SELECT ${EVALUATION_COLUMNS} FROM guidance_evaluation e
     WHERE e.domain_id = $1 ORDER BY e.scanned_at DESC, e.scan_id DESC LIMIT 1`,
    [domainId],
  )) as EvaluationRow[];
  return rows[0] ? evaluationOf(rows[0]) : null;
}

/** Counts of the organisation's domains by status, each domain as of its newest evaluation. */
export interface ComplianceCounts {
  domains: number;
  evaluated: number;
  webCompliant: number;
  webNonCompliant: number;
  webUnknown: number;
  webNotApplicable: number;
  mailCompliant: number;
  mailNonCompliant: number;
  mailUnknown: number;
  mailNotApplicable: number;
  phases: Record<DmarcPhase, number>;
}

interface CountsRow {
  domains: string;
  evaluated: string;
  web_compliant: string;
  web_non_compliant: string;
  web_unknown: string;
  web_not_applicable: string;
  mail_compliant: string;
  mail_non_compliant: string;
  mail_unknown: string;
  mail_not_applicable: string;
  phase_not_implemented: string;
  phase_assess: string;
  phase_deploy: string;
  phase_enforce: string;
  phase_maintain: string;
  phase_unknown: string;
}

const STATUS_COUNT_COLUMNS = `
  count(e.web_status) AS evaluated,
  count(*) FILTER (WHERE e.web_status = 'compliant') AS web_compliant,
  count(*) FILTER (WHERE e.web_status = 'non-compliant') AS web_non_compliant,
  count(*) FILTER (WHERE e.web_status = 'unknown') AS web_unknown,
  count(*) FILTER (WHERE e.web_status = 'not-applicable') AS web_not_applicable,
  count(*) FILTER (WHERE e.mail_status = 'compliant') AS mail_compliant,
  count(*) FILTER (WHERE e.mail_status = 'non-compliant') AS mail_non_compliant,
  count(*) FILTER (WHERE e.mail_status = 'unknown') AS mail_unknown,
  count(*) FILTER (WHERE e.mail_status = 'not-applicable') AS mail_not_applicable,
  count(*) FILTER (WHERE e.dmarc_phase = 'not-implemented') AS phase_not_implemented,
  count(*) FILTER (WHERE e.dmarc_phase = 'assess') AS phase_assess,
  count(*) FILTER (WHERE e.dmarc_phase = 'deploy') AS phase_deploy,
  count(*) FILTER (WHERE e.dmarc_phase = 'enforce') AS phase_enforce,
  count(*) FILTER (WHERE e.dmarc_phase = 'maintain') AS phase_maintain,
  count(*) FILTER (WHERE e.dmarc_phase = 'unknown') AS phase_unknown`;
const COUNT_COLUMNS = `count(*) AS domains, ${STATUS_COUNT_COLUMNS}`;

/** Absent columns count as 0 (a moment no evaluation covers). */
function countsOf(r: Partial<CountsRow>): ComplianceCounts {
  const n = (v: string | undefined) => Number(v ?? 0);
  return {
    domains: n(r.domains),
    evaluated: n(r.evaluated),
    webCompliant: n(r.web_compliant),
    webNonCompliant: n(r.web_non_compliant),
    webUnknown: n(r.web_unknown),
    webNotApplicable: n(r.web_not_applicable),
    mailCompliant: n(r.mail_compliant),
    mailNonCompliant: n(r.mail_non_compliant),
    mailUnknown: n(r.mail_unknown),
    mailNotApplicable: n(r.mail_not_applicable),
    phases: {
      'not-implemented': n(r.phase_not_implemented),
      assess: n(r.phase_assess),
      deploy: n(r.phase_deploy),
      enforce: n(r.phase_enforce),
      maintain: n(r.phase_maintain),
      unknown: n(r.phase_unknown),
    },
  };
}

export const TrendIntervals = { day: '1 day', week: '7 days', month: '1 month' } as const;
export type TrendInterval = keyof typeof TrendIntervals;

/**
 * The periods of a trend, as a keyset query over `generate_series`: rows `{ at, period_end }`,
 * `at` (the period's start) being the sort key. The counts of a page's periods come from
 * `organisationComplianceAt`, in one query for the whole page.
 */
export function organisationComplianceTrendQuery(
  organisationId: string,
  from: Date,
  to: Date,
  interval: TrendInterval,
): KeysetQuery {
  return {
    select: `b.at AS at, b.at + $4::interval AS period_end`,
    from: `organisation o CROSS JOIN generate_series($2::timestamptz, $3::timestamptz, $4::interval) AS b(at)`,
    where: ['o.id = $1'],
    params: [organisationId, from, to, TrendIntervals[interval]],
    order: [{ expr: 'b.at', alias: 'at', type: 'timestamptz', direction: 'ASC' }],
  };
}

/**
 * The organisation's counts at each of `ends`: every domain as of its newest evaluation scanned
 * before that moment. One query for all the moments; each (moment, domain) pair is one probe of
 * the covering index on (domain, scanned_at), so the cost grows with moments × domains, never with
 * the length of the history.
 */
export async function organisationComplianceAt(
  ds: DataSource,
  organisationId: string,
  ends: Date[],
): Promise<Map<number, ComplianceCounts>> {
  const moments = [...new Set(ends.map((e) => e.getTime()))].map((t) => new Date(t));
  if (moments.length === 0) return new Map();
  const rows = (await ds.query(
    `SELECT b.at_end, ${COUNT_COLUMNS}
     FROM unnest($2::timestamptz[]) AS b(at_end)
     CROSS JOIN domain d
     LEFT JOIN LATERAL (
       SELECT web_status, mail_status, dmarc_phase FROM guidance_evaluation ge
       WHERE ge.domain_id = d.id AND ge.scanned_at < b.at_end
       ORDER BY ge.scanned_at DESC, ge.scan_id DESC LIMIT 1
     ) e ON true
     WHERE d.organisation_id = $1
     GROUP BY b.at_end`,
    [organisationId, moments],
  )) as Array<CountsRow & { at_end: Date }>;
  const byTime = new Map(rows.map((r) => [r.at_end.getTime(), countsOf(r)]));
  // An organisation without domains has no rows: every count is 0.
  return new Map(moments.map((m) => [m.getTime(), byTime.get(m.getTime()) ?? countsOf({})]));
}

/**
 * The organisation's domains with their newest evaluation (null when never evaluated), by name;
 * filters keep domains whose newest evaluation has the given status, phase or tag.
 */
export function organisationDomainComplianceQuery(
  organisationId: string,
  filters: {
    web?: ComplianceStatus;
    mail?: ComplianceStatus;
    phase?: DmarcPhase;
    /** Only domains whose newest evaluation carries this guidance tag. */
    tag?: string;
  } = {},
): KeysetQuery {
  const params: unknown[] = [organisationId];
  const where = ['d.organisation_id = $1'];
  for (const [column, value] of [
    ['e.web_status', filters.web],
    ['e.mail_status', filters.mail],
    ['e.dmarc_phase', filters.phase],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  if (filters.tag !== undefined) {
    params.push(filters.tag);
    where.push(
      `EXISTS (SELECT 1 FROM guidance_tag gt WHERE gt.scan_id = e.scan_id AND gt.tag_id = $${params.length})`,
    );
  }
  return {
    select: `d.id AS d_id, d.name AS d_name, ${EVALUATION_COLUMNS}`,
    from: `domain d
      LEFT JOIN LATERAL (
        SELECT * FROM guidance_evaluation ge
        WHERE ge.domain_id = d.id ORDER BY ge.scanned_at DESC, ge.scan_id DESC LIMIT 1
      ) e ON true`,
    where,
    params,
    order: [{ expr: 'd.name', alias: 'd_name', type: 'text', direction: 'ASC' }],
  };
}

export function domainComplianceRowOf(row: Record<string, unknown>): {
  domainId: string;
  name: string;
  evaluation: StoredEvaluation | null;
} {
  const r = row as unknown as EvaluationRow & { d_id: string; d_name: string };
  return { domainId: r.d_id, name: r.d_name, evaluation: r.scan_id ? evaluationOf(r) : null };
}

/** The newest scan of each of the organisation's domains, for re-evaluating them all. */
export async function latestScanIdsOfOrganisation(
  ds: DataSource,
  organisationId: string,
  limit: number,
): Promise<string[]> {
  const rows = (await ds.query(
    `SELECT s.id FROM domain d
     CROSS JOIN LATERAL (
       SELECT id FROM scan WHERE scan.domain_id = d.id AND status IN ('completed', 'failed')
       ORDER BY requested_at DESC LIMIT 1
     ) s
     WHERE d.organisation_id = $1 ORDER BY d.name LIMIT $2`,
    [organisationId, limit],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}
