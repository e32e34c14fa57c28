import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A stored result a time-stamp proves: one of Perimeter's scan results, or a probe's result. */
export type ProofSubjectKind = 'scan-result' | 'probe-result';
export interface ProofSubject {
  kind: ProofSubjectKind;
  id: string;
}

export interface StoredScanResult {
  id: string;
  scanId: string;
  target: string;
  scanner: string;
  status: string;
  data: unknown;
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}

export interface ResultTimestampRow {
  id: string;
  canonicalVersion: number;
  digest: Buffer;
  tsaName: string;
  token: Buffer;
  genTime: Date;
  serialNumber: string;
  createdAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which table a result id belongs to, and its organisation; null for an unknown or malformed id. */
export async function findProofSubject(
  ds: DataSource,
  id: string,
): Promise<(ProofSubject & { organisationId: string }) | null> {
  if (!UUID.test(id)) return null;
  const rows = (await ds.query(
    `SELECT 'scan-result' AS kind, s.organisation_id FROM scan_result r JOIN scan s ON s.id = r.scan_id
      WHERE r.id = $1
     UNION ALL
     SELECT 'probe-result', organisation_id FROM probe_result WHERE id = $1`,
    [id],
  )) as Array<{ kind: ProofSubjectKind; organisation_id: string }>;
  const row = rows[0];
  return row ? { kind: row.kind, id, organisationId: row.organisation_id } : null;
}

export async function loadScanResultForProof(
  ds: DataSource,
  id: string,
): Promise<StoredScanResult | null> {
  const rows = (await ds.query(
    `SELECT r.id, r.scan_id, s.target, r.scanner, r.status, r.data, r.error, r.started_at, r.finished_at
       FROM scan_result r JOIN scan s ON s.id = r.scan_id WHERE r.id = $1`,
    [id],
  )) as Array<Record<string, unknown>>;
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id as string,
    scanId: r.scan_id as string,
    target: r.target as string,
    scanner: r.scanner as string,
    status: r.status as string,
    data: r.data,
    error: r.error as string | null,
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date,
  };
}

export async function loadProbeResultDocument(ds: DataSource, id: string): Promise<unknown> {
  const rows = (await ds.query(`SELECT document FROM probe_result WHERE id = $1`, [id])) as Array<{
    document: unknown;
  }>;
  return rows[0]?.document ?? null;
}

/** A scan's results that have no time-stamp yet. */
export async function scanResultsAwaitingTimestamp(
  ds: DataSource,
  scanId: string,
): Promise<string[]> {
  const rows = (await ds.query(
    `SELECT r.id FROM scan_result r LEFT JOIN result_timestamp t ON t.scan_result_id = r.id
      WHERE r.scan_id = $1 AND t.id IS NULL ORDER BY r.scanner`,
    [scanId],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

const subjectColumn = (kind: ProofSubjectKind) =>
  kind === 'scan-result' ? 'scan_result_id' : 'probe_result_id';

/** Stores a token; a second token for the same result (an activity retried) is ignored. */
export async function storeResultTimestamp(
  ds: DataSource,
  subject: ProofSubject,
  t: Omit<ResultTimestampRow, 'id' | 'createdAt'>,
): Promise<void> {
  await ds.query(
    `INSERT INTO result_timestamp
       (id, ${subjectColumn(subject.kind)}, canonical_version, digest, tsa_name, token, gen_time, serial_number)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT DO NOTHING`,
    [
      randomUUID(),
      subject.id,
      t.canonicalVersion,
      t.digest,
      t.tsaName,
      t.token,
      t.genTime,
      t.serialNumber,
    ],
  );
}

export async function findResultTimestamp(
  ds: DataSource,
  subject: ProofSubject,
): Promise<ResultTimestampRow | null> {
  const rows = (await ds.query(
    `SELECT id, canonical_version, digest, tsa_name, token, gen_time, serial_number, created_at
       FROM result_timestamp WHERE ${subjectColumn(subject.kind)} = $1`,
    [subject.id],
  )) as Array<Record<string, unknown>>;
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id as string,
    canonicalVersion: r.canonical_version as number,
    digest: r.digest as Buffer,
    tsaName: r.tsa_name as string,
    token: r.token as Buffer,
    genTime: r.gen_time as Date,
    serialNumber: r.serial_number as string,
    createdAt: r.created_at as Date,
  };
}

/** Every stored result without a time-stamp, oldest first (results from before a TSA was set up). */
export async function resultsAwaitingTimestamp(
  ds: DataSource,
  limit: number,
): Promise<ProofSubject[]> {
  const rows = (await ds.query(
    `SELECT 'scan-result' AS kind, r.id, r.finished_at AS at FROM scan_result r
       LEFT JOIN result_timestamp t ON t.scan_result_id = r.id WHERE t.id IS NULL
     UNION ALL
     SELECT 'probe-result', p.id, p.received_at FROM probe_result p
       LEFT JOIN result_timestamp t ON t.probe_result_id = p.id WHERE t.id IS NULL
     ORDER BY at, id LIMIT $1`,
    [limit],
  )) as Array<{ kind: ProofSubjectKind; id: string }>;
  return rows.map((r) => ({ kind: r.kind, id: r.id }));
}
