import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  dmarcReportIngestWorkflowId,
  type DmarcIngestPart,
  type DmarcReportSource,
} from '../contracts/dmarc-report-ingest.contract';
import type { ReportHeader, ReportRecord } from '../dmarc-report/model';

type Db = DataSource | EntityManager;

export type DmarcUploadStatus = 'pending' | 'done' | 'failed';

export interface DmarcUploadRow {
  id: string;
  organisationId: string;
  source: DmarcReportSource;
  sourceRef: string;
  sizeBytes: number;
  sha256: string;
  status: DmarcUploadStatus;
  workflowId: string;
  outcome: DmarcIngestPart[] | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const UPLOAD_COLUMNS = `id, organisation_id AS "organisationId", source, source_ref AS "sourceRef",
  size_bytes::float8 AS "sizeBytes", sha256, status, workflow_id AS "workflowId", outcome, error,
  created_at AS "createdAt", finished_at AS "finishedAt"`;

/** The first step of every source: keep the bytes as received; the workflow id comes with it. */
export async function createDmarcUpload(
  db: Db,
  input: {
    organisationId: string;
    source: DmarcReportSource;
    sourceRef: string;
    content: Buffer;
    createdBy: string | null;
  },
): Promise<DmarcUploadRow> {
  const id = randomUUID();
  const rows = (await db.query(
    `INSERT INTO dmarc_report_upload
       (id, organisation_id, source, source_ref, content, size_bytes, sha256, status, workflow_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)
     RETURNING ${UPLOAD_COLUMNS}`,
    [
      id,
      input.organisationId,
      input.source,
      input.sourceRef.slice(0, 1000),
      input.content,
      input.content.length,
      createHash('sha256').update(input.content).digest('hex'),
      dmarcReportIngestWorkflowId(id),
      input.createdBy,
    ],
  )) as DmarcUploadRow[];
  return rows[0];
}

export async function findDmarcUpload(db: Db, id: string): Promise<DmarcUploadRow | undefined> {
  const rows = (await db.query(`SELECT ${UPLOAD_COLUMNS} FROM dmarc_report_upload WHERE id = $1`, [
    id,
  ])) as DmarcUploadRow[];
  return rows[0];
}

export async function readDmarcUploadContent(
  db: Db,
  id: string,
): Promise<{ organisationId: string; sourceRef: string; content: Buffer } | undefined> {
  const rows = (await db.query(
    `SELECT organisation_id AS "organisationId", source_ref AS "sourceRef", content
       FROM dmarc_report_upload WHERE id = $1`,
    [id],
  )) as Array<{ organisationId: string; sourceRef: string; content: Buffer }>;
  return rows[0];
}

export async function finishDmarcUpload(
  db: Db,
  id: string,
  result: { status: 'done' | 'failed'; outcome?: DmarcIngestPart[]; error?: string },
): Promise<void> {
  await db.query(
    `UPDATE dmarc_report_upload SET status = $2, outcome = $3, error = $4, finished_at = now()
      WHERE id = $1`,
    [
      id,
      result.status,
      result.outcome ? JSON.stringify(result.outcome) : null,
      result.error ?? null,
    ],
  );
}

/**
 * Opens a report inside the caller's transaction. Undefined when the organisation already has
 * this reporter's report with this id (a duplicate delivery): nothing is written then.
 */
export async function insertDmarcReport(
  m: EntityManager,
  input: { organisationId: string; uploadId: string | null; header: ReportHeader },
): Promise<string | undefined> {
  const { metadata: md, policy } = input.header;
  const rows = (await m.query(
    `INSERT INTO dmarc_report (id, organisation_id, upload_id, reporter_org, report_id, reporter_email,
       extra_contact_info, schema, version, namespaced, generator, domain, begin_at, end_at, policy,
       reporter_errors, warnings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, to_timestamp($13), to_timestamp($14),
       $15, $16, '[]')
     ON CONFLICT (organisation_id, reporter_org, report_id) DO NOTHING
     RETURNING id`,
    [
      randomUUID(),
      input.organisationId,
      input.uploadId,
      md.orgName.slice(0, 512),
      md.reportId.slice(0, 512),
      md.email?.slice(0, 512) ?? null,
      md.extraContactInfo,
      input.header.schema,
      input.header.version?.slice(0, 16) ?? null,
      input.header.namespaced,
      md.generator?.slice(0, 512) ?? null,
      policy.domain.slice(0, 253),
      md.begin,
      md.end,
      JSON.stringify(policy),
      JSON.stringify(md.errors),
    ],
  )) as Array<{ id: string }>;
  return rows[0]?.id;
}

export async function findDmarcReportId(
  db: Db,
  organisationId: string,
  reporter: string,
  reportId: string,
): Promise<string | undefined> {
  const rows = (await db.query(
    `SELECT id FROM dmarc_report WHERE organisation_id = $1 AND reporter_org = $2 AND report_id = $3`,
    [organisationId, reporter.slice(0, 512), reportId.slice(0, 512)],
  )) as Array<{ id: string }>;
  return rows[0]?.id;
}

/**
 * One insert for a batch of a report's records: the batch travels as one JSON document that
 * PostgreSQL expands (jsonb_to_recordset), far cheaper than one array parameter per column.
 */
export async function insertDmarcRecords(
  m: EntityManager,
  report: { id: string; organisationId: string; domain: string; beginSeconds: number },
  records: ReportRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const day = new Date(report.beginSeconds * 1000).toISOString().slice(0, 10);
  const trim = (s: string | null) => (s === null ? null : s.slice(0, 253));
  const rows = records.map((r) => ({
    ip: r.sourceIp,
    n: Math.min(r.count, 2_147_483_647),
    d: r.disposition.slice(0, 32),
    da: r.dkim === 'pass',
    sa: r.spf === 'pass',
    dp: r.dkimResults.some((x) => x.result === 'pass'),
    sp: r.spfResults.some((x) => x.result === 'pass'),
    hf: trim(r.headerFrom),
    ef: trim(r.envelopeFrom),
    et: trim(r.envelopeTo),
    re: r.reasons,
    dk: r.dkimResults,
    sf: r.spfResults,
  }));
  await m.query(
    `INSERT INTO dmarc_report_record (report_id, organisation_id, domain, day, source_ip, message_count,
       disposition, dkim_aligned, spf_aligned, dkim_pass, spf_pass, header_from, envelope_from,
       envelope_to, reasons, dkim_results, spf_results)
     SELECT $1, $2, $3, $4::date, u.ip, u.n, u.d, u.da, u.sa, u.dp, u.sp, u.hf, u.ef, u.et,
            u.re, u.dk, u.sf
       FROM jsonb_to_recordset($5::jsonb) AS u(ip inet, n int, d text, da bool, sa bool, dp bool,
            sp bool, hf text, ef text, et text, re jsonb, dk jsonb, sf jsonb)`,
    [report.id, report.organisationId, report.domain.slice(0, 253), day, JSON.stringify(rows)],
  );
}

export async function completeDmarcReport(
  m: EntityManager,
  id: string,
  totals: { recordCount: number; messageCount: number; warnings: string[] },
): Promise<void> {
  await m.query(
    `UPDATE dmarc_report SET record_count = $2, message_count = $3, warnings = $4 WHERE id = $1`,
    [id, totals.recordCount, totals.messageCount, JSON.stringify(totals.warnings)],
  );
}

/** Source addresses of these reports with no enrichment, or one past its expiry. */
export async function staleDmarcSources(db: Db, reportIds: string[]): Promise<string[]> {
  const rows = (await db.query(
    `SELECT DISTINCT host(r.source_ip) AS ip
       FROM dmarc_report_record r
       LEFT JOIN dmarc_source s ON s.ip = r.source_ip
      WHERE r.report_id = ANY($1::uuid[]) AND (s.ip IS NULL OR s.expires_at < now())`,
    [reportIds],
  )) as Array<{ ip: string }>;
  return rows.map((r) => r.ip);
}

export interface DmarcSourceEnrichment {
  ip: string;
  ptr: string | null;
  baseDomain: string | null;
  sender: string | null;
  senderCategory: string | null;
  country: string | null;
  asn: number | null;
  asName: string | null;
  lookupError: string | null;
  ttlSeconds: number;
}

export async function upsertDmarcSources(db: Db, rows: DmarcSourceEnrichment[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: DmarcSourceEnrichment) => T) => rows.map(f);
  await db.query(
    `INSERT INTO dmarc_source (ip, ptr, base_domain, sender, sender_category, country, asn, as_name,
       lookup_error, resolved_at, expires_at)
     SELECT u.ip, u.ptr, u.base, u.sender, u.category, u.country, u.asn, u.as_name, u.err, now(),
            now() + make_interval(secs => u.ttl)
       FROM unnest($1::inet[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                   $7::bigint[], $8::text[], $9::text[], $10::int[])
         AS u(ip, ptr, base, sender, category, country, asn, as_name, err, ttl)
     ON CONFLICT (ip) DO UPDATE SET ptr = excluded.ptr, base_domain = excluded.base_domain,
       sender = excluded.sender, sender_category = excluded.sender_category,
       country = excluded.country, asn = excluded.asn, as_name = excluded.as_name,
       lookup_error = excluded.lookup_error, resolved_at = excluded.resolved_at,
       expires_at = excluded.expires_at`,
    [
      col((r) => r.ip),
      col((r) => r.ptr?.slice(0, 253) ?? null),
      col((r) => r.baseDomain?.slice(0, 253) ?? null),
      col((r) => r.sender?.slice(0, 100) ?? null),
      col((r) => r.senderCategory?.slice(0, 32) ?? null),
      col((r) => r.country),
      col((r) => r.asn),
      col((r) => r.asName?.slice(0, 200) ?? null),
      col((r) => r.lookupError?.slice(0, 200) ?? null),
      col((r) => r.ttlSeconds),
    ],
  );
}

/** An upload already made from this message or object (a retried poll or sweep reuses it). */
export async function findDmarcUploadBySource(
  db: Db,
  organisationId: string,
  source: DmarcReportSource,
  sourceRef: string,
): Promise<DmarcUploadRow | undefined> {
  const rows = (await db.query(
    `SELECT ${UPLOAD_COLUMNS} FROM dmarc_report_upload
      WHERE organisation_id = $1 AND source = $2 AND source_ref = $3 AND status <> 'failed'
      ORDER BY created_at DESC LIMIT 1`,
    [organisationId, source, sourceRef],
  )) as DmarcUploadRow[];
  return rows[0];
}
