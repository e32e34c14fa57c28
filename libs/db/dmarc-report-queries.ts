import type { DataSource, EntityManager } from 'typeorm';
import type { KeysetQuery } from './keyset-page';

type Db = DataSource | EntityManager;

export interface DmarcPeriod {
  organisationId: string;
  domain: string;
  /** Inclusive days, `YYYY-MM-DD` (UTC). */
  fromDay: string;
  toDay: string;
}

export interface DmarcReportRow extends Record<string, unknown> {
  id: string;
  organisationId: string;
  uploadId: string | null;
  reporter: string;
  reportId: string;
  reporterEmail: string | null;
  extraContactInfo: string | null;
  schema: string;
  version: string | null;
  namespaced: boolean;
  generator: string | null;
  domain: string;
  beginAt: Date;
  endAt: Date;
  policy: Record<string, unknown>;
  reporterErrors: string[];
  warnings: string[];
  recordCount: number;
  messageCount: number;
  receivedAt: Date;
}

const REPORT_COLUMNS = `r.id, r.organisation_id AS "organisationId", r.upload_id AS "uploadId",
  r.reporter_org AS reporter, r.report_id AS "reportId", r.reporter_email AS "reporterEmail",
  r.extra_contact_info AS "extraContactInfo", r.schema, r.version, r.namespaced, r.generator,
  r.domain, r.begin_at AS "beginAt", r.end_at AS "endAt", r.policy,
  r.reporter_errors AS "reporterErrors", r.warnings, r.record_count AS "recordCount",
  r.message_count::float8 AS "messageCount", r.received_at AS "receivedAt"`;

export async function findDmarcReport(db: Db, id: string): Promise<DmarcReportRow | undefined> {
  const rows = (await db.query(`SELECT ${REPORT_COLUMNS} FROM dmarc_report r WHERE r.id = $1`, [
    id,
  ])) as DmarcReportRow[];
  return rows[0];
}

/** An organisation's reports, newest period first; optionally one domain's. */
export function dmarcReportsQuery(organisationId: string, domain?: string): KeysetQuery {
  const params: unknown[] = [organisationId];
  const where = ['r.organisation_id = $1'];
  if (domain) {
    params.push(domain);
    where.push(`r.domain = $${params.length}`);
  }
  return {
    select: `${REPORT_COLUMNS}, r.begin_at AS k_begin, r.id AS k_id`,
    from: 'dmarc_report r',
    where,
    params,
    order: [
      { expr: 'r.begin_at', alias: 'k_begin', type: 'timestamptz', direction: 'DESC' },
      { expr: 'r.id', alias: 'k_id', type: 'uuid', direction: 'ASC' },
    ],
  };
}

export interface DmarcRecordRow extends Record<string, unknown> {
  id: string;
  sourceIp: string;
  messageCount: number;
  disposition: string;
  dkimAligned: boolean;
  spfAligned: boolean;
  dkimPass: boolean;
  spfPass: boolean;
  headerFrom: string | null;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  reasons: Array<{ type: string; comment: string | null }>;
  dkimResults: Array<Record<string, string | null>>;
  spfResults: Array<Record<string, string | null>>;
  ptr: string | null;
  sender: string | null;
}

/** A report's records in document order, with what enrichment knows of each source. */
export function dmarcRecordsQuery(reportId: string): KeysetQuery {
  return {
    select: `x.id::text AS id, host(x.source_ip) AS "sourceIp", x.message_count AS "messageCount",
      x.disposition, x.dkim_aligned AS "dkimAligned", x.spf_aligned AS "spfAligned",
      x.dkim_pass AS "dkimPass", x.spf_pass AS "spfPass", x.header_from AS "headerFrom",
      x.envelope_from AS "envelopeFrom", x.envelope_to AS "envelopeTo", x.reasons,
      x.dkim_results AS "dkimResults", x.spf_results AS "spfResults", s.ptr, s.sender,
      x.id::text AS k_id`,
    from: 'dmarc_report_record x LEFT JOIN dmarc_source s ON s.ip = x.source_ip',
    where: ['x.report_id = $1'],
    params: [reportId],
    order: [{ expr: 'x.id', alias: 'k_id', type: 'bigint', direction: 'ASC' }],
  };
}

const PERIOD = `x.organisation_id = $1 AND x.domain = $2 AND x.day >= $3::date AND x.day <= $4::date`;
const periodParams = (p: DmarcPeriod) => [p.organisationId, p.domain, p.fromDay, p.toDay];

export interface DmarcSummaryRow {
  messageCount: number;
  dmarcPassCount: number;
  dkimAlignedCount: number;
  spfAlignedCount: number;
  dkimPassCount: number;
  spfPassCount: number;
  sourceCount: number;
  reportCount: number;
  reporterCount: number;
  knownSenderMessageCount: number;
}

/** Message-weighted totals of a domain over a period. */
export async function dmarcSummary(db: Db, p: DmarcPeriod) {
  const [totals] = (await db.query(
    `SELECT COALESCE(sum(x.message_count), 0)::float8 AS "messageCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned OR x.spf_aligned), 0)::float8 AS "dmarcPassCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned), 0)::float8 AS "dkimAlignedCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.spf_aligned), 0)::float8 AS "spfAlignedCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_pass), 0)::float8 AS "dkimPassCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.spf_pass), 0)::float8 AS "spfPassCount",
       COALESCE(sum(x.message_count) FILTER (WHERE s.sender IS NOT NULL), 0)::float8 AS "knownSenderMessageCount",
       count(DISTINCT x.source_ip)::int AS "sourceCount",
       count(DISTINCT x.report_id)::int AS "reportCount",
       count(DISTINCT r.reporter_org)::int AS "reporterCount"
     FROM dmarc_report_record x
     JOIN dmarc_report r ON r.id = x.report_id
     LEFT JOIN dmarc_source s ON s.ip = x.source_ip
     WHERE ${PERIOD}`,
    periodParams(p),
  )) as [DmarcSummaryRow];
  const dispositions = (await db.query(
    `SELECT x.disposition, sum(x.message_count)::float8 AS "messageCount"
       FROM dmarc_report_record x WHERE ${PERIOD}
      GROUP BY x.disposition ORDER BY 2 DESC, 1`,
    periodParams(p),
  )) as Array<{ disposition: string; messageCount: number }>;
  const days = (await db.query(
    `SELECT to_char(x.day, 'YYYY-MM-DD') AS day, sum(x.message_count)::float8 AS "messageCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned OR x.spf_aligned), 0)::float8 AS "dmarcPassCount"
       FROM dmarc_report_record x WHERE ${PERIOD}
      GROUP BY x.day ORDER BY x.day`,
    periodParams(p),
  )) as Array<{ day: string; messageCount: number; dmarcPassCount: number }>;
  const reporters = (await db.query(
    `SELECT r.reporter_org AS reporter, count(DISTINCT r.id)::int AS "reportCount",
       sum(x.message_count)::float8 AS "messageCount",
       COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned OR x.spf_aligned), 0)::float8 AS "dmarcPassCount"
       FROM dmarc_report_record x JOIN dmarc_report r ON r.id = x.report_id
      WHERE ${PERIOD}
      GROUP BY r.reporter_org ORDER BY 3 DESC, 1`,
    periodParams(p),
  )) as Array<{
    reporter: string;
    reportCount: number;
    messageCount: number;
    dmarcPassCount: number;
  }>;
  return { totals, dispositions, days, reporters };
}

export type DmarcSourceFilter = 'all' | 'failing' | 'dkimOnly' | 'spfOnly' | 'unknownSender';

export interface DmarcSourceRow extends Record<string, unknown> {
  sourceIp: string;
  ptr: string | null;
  baseDomain: string | null;
  sender: string | null;
  senderCategory: string | null;
  country: string | null;
  asn: number | null;
  asName: string | null;
  messageCount: number;
  dmarcPassCount: number;
  dkimAlignedCount: number;
  spfAlignedCount: number;
  dkimPassCount: number;
  spfPassCount: number;
  /** The count the filter is about (all messages, failing ones, DKIM-only ones…). */
  matchingCount: number;
}

const MATCHING: Record<DmarcSourceFilter, string> = {
  all: 'true',
  failing: 'NOT (x.dkim_aligned OR x.spf_aligned)',
  dkimOnly: 'x.dkim_aligned AND NOT x.spf_aligned',
  spfOnly: 'x.spf_aligned AND NOT x.dkim_aligned',
  unknownSender: 'true',
};

/**
 * Sources of a domain's mail over a period, the most messages (matching the filter) first:
 * top sources, failing sources, sources aligned by DKIM only or by SPF only.
 */
export function dmarcSourcesQuery(p: DmarcPeriod, filter: DmarcSourceFilter): KeysetQuery {
  const matching = MATCHING[filter];
  const grouped = `(
    SELECT x.source_ip,
      sum(x.message_count)::bigint AS messages,
      COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned OR x.spf_aligned), 0)::bigint AS dmarc_pass,
      COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_aligned), 0)::bigint AS dkim_aligned,
      COALESCE(sum(x.message_count) FILTER (WHERE x.spf_aligned), 0)::bigint AS spf_aligned,
      COALESCE(sum(x.message_count) FILTER (WHERE x.dkim_pass), 0)::bigint AS dkim_pass,
      COALESCE(sum(x.message_count) FILTER (WHERE x.spf_pass), 0)::bigint AS spf_pass,
      COALESCE(sum(x.message_count) FILTER (WHERE ${matching}), 0)::bigint AS matching
    FROM dmarc_report_record x WHERE ${PERIOD}
    GROUP BY x.source_ip) g LEFT JOIN dmarc_source s ON s.ip = g.source_ip`;
  const where = ['g.matching > 0'];
  if (filter === 'unknownSender') where.push('s.sender IS NULL');
  return {
    select: `host(g.source_ip) AS "sourceIp", s.ptr, s.base_domain AS "baseDomain", s.sender,
      s.sender_category AS "senderCategory", s.country, s.asn::float8 AS asn, s.as_name AS "asName",
      g.messages::float8 AS "messageCount", g.dmarc_pass::float8 AS "dmarcPassCount",
      g.dkim_aligned::float8 AS "dkimAlignedCount", g.spf_aligned::float8 AS "spfAlignedCount",
      g.dkim_pass::float8 AS "dkimPassCount", g.spf_pass::float8 AS "spfPassCount",
      g.matching::float8 AS "matchingCount", g.matching::text AS k_matching,
      host(g.source_ip) AS k_ip`,
    from: grouped,
    where,
    params: periodParams(p),
    order: [
      { expr: 'g.matching', alias: 'k_matching', type: 'bigint', direction: 'DESC' },
      { expr: 'host(g.source_ip)', alias: 'k_ip', type: 'text', direction: 'ASC' },
    ],
  };
}

/**
 * What the reports say about a domain's mail over a period, for its guidance: message totals and
 * the sources failing DMARC (neither SPF nor DKIM aligned), the most failing mail first.
 */
export async function dmarcFailingSources(db: Db, p: DmarcPeriod, limit = 10) {
  const [totals] = (await db.query(
    `SELECT COALESCE(sum(x.message_count), 0)::float8 AS "messageCount",
       COALESCE(sum(x.message_count) FILTER (WHERE NOT (x.dkim_aligned OR x.spf_aligned)), 0)::float8
         AS "failingCount",
       count(DISTINCT x.source_ip) FILTER (WHERE NOT (x.dkim_aligned OR x.spf_aligned))::int
         AS "failingSourceCount"
       FROM dmarc_report_record x WHERE ${PERIOD}`,
    periodParams(p),
  )) as [{ messageCount: number; failingCount: number; failingSourceCount: number }];
  const sources = (await db.query(
    `SELECT host(x.source_ip) AS "sourceIp", s.ptr, sum(x.message_count)::float8 AS "messageCount"
       FROM dmarc_report_record x LEFT JOIN dmarc_source s ON s.ip = x.source_ip
      WHERE ${PERIOD} AND NOT (x.dkim_aligned OR x.spf_aligned)
      GROUP BY x.source_ip, s.ptr ORDER BY 3 DESC, 1 LIMIT ${Math.max(1, Math.floor(limit))}`,
    periodParams(p),
  )) as Array<{ sourceIp: string; ptr: string | null; messageCount: number }>;
  return { ...totals, failingSources: sources };
}
