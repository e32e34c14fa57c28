import type { DataSource } from 'typeorm';
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
  mailCompliant: number;
  mailNonCompliant: number;
  mailUnknown: number;
  phases: Record<DmarcPhase, number>;
}

interface CountsRow {
  domains: string;
  evaluated: string;
  web_compliant: string;
  web_non_compliant: string;
  web_unknown: string;
  mail_compliant: string;
  mail_non_compliant: string;
  mail_unknown: string;
  phase_not_implemented: string;
  phase_assess: string;
  phase_deploy: string;
  phase_enforce: string;
  phase_maintain: string;
  phase_unknown: string;
}

const COUNT_COLUMNS = `
  count(*) AS domains,
  count(e.web_status) AS evaluated,
  count(*) FILTER (WHERE e.web_status = 'compliant') AS web_compliant,
  count(*) FILTER (WHERE e.web_status = 'non-compliant') AS web_non_compliant,
  count(*) FILTER (WHERE e.web_status = 'unknown') AS web_unknown,
  count(*) FILTER (WHERE e.mail_status = 'compliant') AS mail_compliant,
  count(*) FILTER (WHERE e.mail_status = 'non-compliant') AS mail_non_compliant,
  count(*) FILTER (WHERE e.mail_status = 'unknown') AS mail_unknown,
  count(*) FILTER (WHERE e.dmarc_phase = 'not-implemented') AS phase_not_implemented,
  count(*) FILTER (WHERE e.dmarc_phase = 'assess') AS phase_assess,
  count(*) FILTER (WHERE e.dmarc_phase = 'deploy') AS phase_deploy,
  count(*) FILTER (WHERE e.dmarc_phase = 'enforce') AS phase_enforce,
  count(*) FILTER (WHERE e.dmarc_phase = 'maintain') AS phase_maintain,
  count(*) FILTER (WHERE e.dmarc_phase = 'unknown') AS phase_unknown`;

function countsOf(r: CountsRow): ComplianceCounts {
  const n = (v: string) => Number(v);
  return {
    domains: n(r.domains),
    evaluated: n(r.evaluated),
    webCompliant: n(r.web_compliant),
    webNonCompliant: n(r.web_non_compliant),
    webUnknown: n(r.web_unknown),
    mailCompliant: n(r.mail_compliant),
    mailNonCompliant: n(r.mail_non_compliant),
    mailUnknown: n(r.mail_unknown),
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

/** Each domain of the organisation as of its newest evaluation scanned before `at` (now by default). */
export async function organisationComplianceCounts(
  ds: DataSource,
  organisationId: string,
  at?: Date,
): Promise<ComplianceCounts> {
  const [row] = (await ds.query(
    `SELECT ${COUNT_COLUMNS}
     FROM domain d
     LEFT JOIN LATERAL (
       SELECT web_status, mail_status, dmarc_phase FROM guidance_evaluation ge
       WHERE ge.domain_id = d.id AND ($2::timestamptz IS NULL OR ge.scanned_at < $2)
       ORDER BY ge.scanned_at DESC, ge.scan_id DESC LIMIT 1
     ) e ON true
     WHERE d.organisation_id = $1`,
    [organisationId, at ?? null],
  )) as CountsRow[];
  return countsOf(row);
}

/**
 * The organisation's counts at the end of each bucket: every domain as of its newest evaluation
 * scanned before the bucket's end. One query for all buckets.
 */
export async function organisationComplianceTrend(
  ds: DataSource,
  organisationId: string,
  bucketEnds: Date[],
): Promise<Array<{ at: Date; counts: ComplianceCounts }>> {
  if (bucketEnds.length === 0) return [];
  const rows = (await ds.query(
    `SELECT b.at, ${COUNT_COLUMNS}
     FROM unnest($2::timestamptz[]) AS b(at)
     CROSS JOIN domain d
     LEFT JOIN LATERAL (
       SELECT web_status, mail_status, dmarc_phase FROM guidance_evaluation ge
       WHERE ge.domain_id = d.id AND ge.scanned_at < b.at
       ORDER BY ge.scanned_at DESC, ge.scan_id DESC LIMIT 1
     ) e ON true
     WHERE d.organisation_id = $1
     GROUP BY b.at ORDER BY b.at`,
    [organisationId, bucketEnds],
  )) as Array<CountsRow & { at: Date }>;
  const byTime = new Map(rows.map((r) => [r.at.getTime(), countsOf(r)]));
  const empty = countsOf({
    domains: '0',
    evaluated: '0',
    web_compliant: '0',
    web_non_compliant: '0',
    web_unknown: '0',
    mail_compliant: '0',
    mail_non_compliant: '0',
    mail_unknown: '0',
    phase_not_implemented: '0',
    phase_assess: '0',
    phase_deploy: '0',
    phase_enforce: '0',
    phase_maintain: '0',
    phase_unknown: '0',
  });
  return bucketEnds.map((at) => ({ at, counts: byTime.get(at.getTime()) ?? empty }));
}

/** The organisation's domains with their newest evaluation, by name (keyset after `afterName`). */
export async function organisationDomainCompliance(
  ds: DataSource,
  organisationId: string,
  opts: {
    afterName?: string;
    beforeName?: string;
    limit: number;
    /** Newest first instead of oldest first when paging backwards. */
    descending?: boolean;
    web?: ComplianceStatus;
    mail?: ComplianceStatus;
    phase?: DmarcPhase;
  },
): Promise<{
  rows: Array<{ domainId: string; name: string; evaluation: StoredEvaluation | null }>;
  totalCount: number;
}> {
  const filters = `d.organisation_id = $1
       AND ($2::text IS NULL OR e.web_status = $2)
       AND ($3::text IS NULL OR e.mail_status = $3)
       AND ($4::text IS NULL OR e.dmarc_phase = $4)`;
  const from = `FROM domain d
     LEFT JOIN LATERAL (
       SELECT ${EVALUATION_COLUMNS} FROM guidance_evaluation e
       WHERE e.domain_id = d.id ORDER BY e.scanned_at DESC, e.scan_id DESC LIMIT 1
     ) e ON true`;
  const base = [organisationId, opts.web ?? null, opts.mail ?? null, opts.phase ?? null];
  const rows = (await ds.query(
    `SELECT d.id AS d_id, d.name AS d_name, ${EVALUATION_COLUMNS} ${from}
     WHERE ${filters}
       AND ($5::text IS NULL OR d.name > $5) AND ($6::text IS NULL OR d.name < $6)
     ORDER BY d.name ${opts.descending ? 'DESC' : 'ASC'} LIMIT $7`,
    [...base, opts.afterName ?? null, opts.beforeName ?? null, opts.limit],
  )) as Array<EvaluationRow & { d_id: string; d_name: string }>;
  const [count] = (await ds.query(`SELECT count(*) AS n ${from} WHERE ${filters}`, base)) as Array<{
    n: string;
  }>;
  return {
    rows: rows.map((r) => ({
      domainId: r.d_id,
      name: r.d_name,
      evaluation: r.scan_id ? evaluationOf(r) : null,
    })),
    totalCount: Number(count.n),
  };
}
