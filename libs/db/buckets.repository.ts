import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { bucketSweepWorkflowId, type BucketVerdict, type SweepFilters } from '../contracts';
import type { KeysetQuery } from './keyset-page';

type Db = DataSource | EntityManager;

export type InfectedAction = 'none' | 'quarantine' | 'delete';

export interface BucketRow {
  id: string;
  organisationId: string;
  name: string;
  scanOnUpload: boolean;
  tagObjects: boolean;
  infectedAction: InfectedAction;
  quarantineBucket: string | null;
  maxObjectBytes: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
  notifyClean: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface BucketSettings {
  scanOnUpload: boolean;
  tagObjects: boolean;
  infectedAction: InfectedAction;
  quarantineBucket: string | null;
  maxObjectBytes: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
  notifyClean: boolean;
}

const BUCKET_COLUMNS = `id, organisation_id AS "organisationId", name, scan_on_upload AS "scanOnUpload",
  tag_objects AS "tagObjects", infected_action AS "infectedAction",
  quarantine_bucket AS "quarantineBucket", max_object_bytes::float8 AS "maxObjectBytes",
  webhook_url AS "webhookUrl", webhook_secret AS "webhookSecret", notify_clean AS "notifyClean",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Thrown when another organisation (or this one) registered the bucket name already. */
export class BucketAlreadyRegistered extends Error {
  override readonly name = 'BucketAlreadyRegistered';
}

export async function createBucket(
  db: Db,
  input: { organisationId: string; name: string } & BucketSettings,
): Promise<BucketRow> {
  try {
    const rows = (await db.query(
      `INSERT INTO bucket (id, organisation_id, name, scan_on_upload, tag_objects, infected_action,
         quarantine_bucket, max_object_bytes, webhook_url, webhook_secret, notify_clean)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${BUCKET_COLUMNS}`,
      [
        randomUUID(),
        input.organisationId,
        input.name,
        input.scanOnUpload,
        input.tagObjects,
        input.infectedAction,
        input.quarantineBucket,
        input.maxObjectBytes,
        input.webhookUrl,
        input.webhookSecret,
        input.notifyClean,
      ],
    )) as BucketRow[];
    return rows[0]!;
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'bucket_name_key')
      throw new BucketAlreadyRegistered(`bucket ${input.name} is already registered`);
    throw err;
  }
}

export async function updateBucketSettings(
  db: Db,
  id: string,
  s: BucketSettings,
): Promise<BucketRow> {
  const rows = (await db.query(
    `UPDATE bucket SET scan_on_upload = $2, tag_objects = $3, infected_action = $4,
       quarantine_bucket = $5, max_object_bytes = $6, webhook_url = $7, webhook_secret = $8,
       notify_clean = $9, updated_at = now()
     WHERE id = $1 RETURNING ${BUCKET_COLUMNS}`,
    [
      id,
      s.scanOnUpload,
      s.tagObjects,
      s.infectedAction,
      s.quarantineBucket,
      s.maxObjectBytes,
      s.webhookUrl,
      s.webhookSecret,
      s.notifyClean,
    ],
  )) as [BucketRow[], number];
  return rows[0][0]!;
}

export async function findBucket(db: Db, id: string): Promise<BucketRow | undefined> {
  const rows = (await db.query(`SELECT ${BUCKET_COLUMNS} FROM bucket WHERE id = $1`, [
    id,
  ])) as BucketRow[];
  return rows[0];
}

export async function findBucketByName(db: Db, name: string): Promise<BucketRow | undefined> {
  const rows = (await db.query(`SELECT ${BUCKET_COLUMNS} FROM bucket WHERE name = $1`, [
    name,
  ])) as BucketRow[];
  return rows[0];
}

export async function listBuckets(db: Db, organisationId: string): Promise<BucketRow[]> {
  return (await db.query(
    `SELECT ${BUCKET_COLUMNS} FROM bucket WHERE organisation_id = $1 ORDER BY name`,
    [organisationId],
  )) as BucketRow[];
}

// ---------------------------------------------------------------------------------------------
// Results

export interface ObjectResultRow {
  id: string;
  bucketId: string;
  key: string;
  objectVersion: string;
  etag: string | null;
  size: number | null;
  verdict: BucketVerdict;
  signatures: string[];
  reason: string | null;
  engineVersion: string | null;
  databaseVersion: number | null;
  databaseTime: Date | null;
  scannedAt: Date;
  scanCount: number;
  sweepId: string | null;
  actions: ScanActions;
}

export interface ScanActions {
  tagged?: boolean;
  tagError?: string;
  quarantinedTo?: string;
  deleted?: boolean;
  webhook?: { status: number | null; attempts?: number; error?: string; at: string };
}

const RESULT_COLUMNS = `r.id::text AS id, r.bucket_id AS "bucketId", r.object_key AS key,
  r.object_version AS "objectVersion", r.etag, r.size_bytes::float8 AS size, r.verdict,
  r.signatures, r.reason, r.engine_version AS "engineVersion",
  r.database_version AS "databaseVersion", r.database_time AS "databaseTime",
  r.scanned_at AS "scannedAt", r.scan_count AS "scanCount", r.sweep_id AS "sweepId", r.actions`;

/** What a scan records; the id, times, count and actions come from the database. */
export type ResultInput = Omit<ObjectResultRow, 'id' | 'scannedAt' | 'scanCount' | 'actions'>;

/** Records a verdict for an object version (a rescan replaces it and counts one more scan). */
export async function upsertObjectResult(db: Db, r: ResultInput): Promise<ObjectResultRow> {
  const rows = (await db.query(
    `INSERT INTO bucket_object_result AS r (bucket_id, object_key, object_version, etag, size_bytes,
       verdict, signatures, reason, engine_version, database_version, database_time, sweep_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (bucket_id, object_key, object_version) DO UPDATE SET
       etag = EXCLUDED.etag, size_bytes = EXCLUDED.size_bytes, verdict = EXCLUDED.verdict,
       signatures = EXCLUDED.signatures, reason = EXCLUDED.reason,
       engine_version = EXCLUDED.engine_version, database_version = EXCLUDED.database_version,
       database_time = EXCLUDED.database_time, sweep_id = EXCLUDED.sweep_id,
       scanned_at = now(), scan_count = r.scan_count + 1, actions = '{}'
     RETURNING ${RESULT_COLUMNS}`,
    [
      r.bucketId,
      r.key,
      r.objectVersion,
      r.etag,
      r.size,
      r.verdict,
      r.signatures,
      r.reason,
      r.engineVersion,
      r.databaseVersion,
      r.databaseTime,
      r.sweepId,
    ],
  )) as ObjectResultRow[];
  return rows[0]!;
}

export async function findObjectResult(
  db: Db,
  bucketId: string,
  key: string,
  objectVersion: string,
): Promise<ObjectResultRow | undefined> {
  const rows = (await db.query(
    `SELECT ${RESULT_COLUMNS} FROM bucket_object_result r
      WHERE bucket_id = $1 AND object_key = $2 AND object_version = $3`,
    [bucketId, key, objectVersion],
  )) as ObjectResultRow[];
  return rows[0];
}

export async function findObjectResultById(
  db: Db,
  id: string,
): Promise<ObjectResultRow | undefined> {
  const rows = (await db.query(
    `SELECT ${RESULT_COLUMNS} FROM bucket_object_result r WHERE id = $1`,
    [id],
  )) as ObjectResultRow[];
  return rows[0];
}

export async function recordScanActions(db: Db, id: string, actions: ScanActions): Promise<void> {
  await db.query(`UPDATE bucket_object_result SET actions = actions || $2::jsonb WHERE id = $1`, [
    id,
    JSON.stringify(actions),
  ]);
}

/**
 * Keys (with ETag) of `keys` that already have a non-ERROR verdict from database `version`
 * — or, with `sweepId`, any verdict from that sweep (a resumed sweep skips what it did).
 */
export async function alreadyScannedKeys(
  db: Db,
  bucketId: string,
  objects: Array<{ key: string; etag: string }>,
  by: { databaseVersion: number | null } | { sweepId: string },
): Promise<Set<string>> {
  if (!objects.length) return new Set();
  const condition =
    'sweepId' in by
      ? { sql: 'r.sweep_id = $4', param: by.sweepId }
      : { sql: `r.database_version = $4 AND r.verdict <> 'ERROR'`, param: by.databaseVersion };
  if (condition.param === null) return new Set();
  const rows = (await db.query(
    `SELECT r.object_key AS key FROM bucket_object_result r
       JOIN unnest($2::text[], $3::text[]) AS o(key, etag) ON o.key = r.object_key AND o.etag = r.etag
      WHERE r.bucket_id = $1 AND ${condition.sql}`,
    [bucketId, objects.map((o) => o.key), objects.map((o) => o.etag), condition.param],
  )) as Array<{ key: string }>;
  return new Set(rows.map((r) => r.key));
}

/** Results of a bucket, newest first, for a Relay connection; optionally one verdict only. */
export function objectResultsQuery(
  bucketId: string,
  filter: { verdict?: BucketVerdict; sweepId?: string },
): KeysetQuery {
  const where = ['r.bucket_id = $1'];
  const params: unknown[] = [bucketId];
  if (filter.verdict) {
    params.push(filter.verdict);
    where.push(`r.verdict = $${params.length}`);
  }
  if (filter.sweepId) {
    params.push(filter.sweepId);
    where.push(`r.sweep_id = $${params.length}`);
  }
  return {
    select: RESULT_COLUMNS,
    from: 'bucket_object_result r',
    where,
    params,
    order: [{ expr: 'r.id', alias: 'id', type: 'bigint', direction: 'DESC' }],
  };
}

// ---------------------------------------------------------------------------------------------
// Sweeps

export type SweepStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface SweepSummary {
  clean: number;
  infected: number;
  skipped: number;
  errors: number;
}

export interface SweepRow {
  id: string;
  bucketId: string;
  status: SweepStatus;
  prefix: string;
  filters: SweepFilters;
  force: boolean;
  workflowId: string;
  listed: number;
  alreadyScanned: number;
  summary: SweepSummary | null;
  error: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const SWEEP_COLUMNS = `id, bucket_id AS "bucketId", status, prefix, filters, force,
  workflow_id AS "workflowId", listed, already_scanned AS "alreadyScanned", summary, error,
  requested_at AS "requestedAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

export async function createSweep(
  db: Db,
  input: {
    bucketId: string;
    prefix: string;
    filters: SweepFilters;
    force: boolean;
    requestedBy: string | null;
  },
): Promise<SweepRow> {
  const id = randomUUID();
  const rows = (await db.query(
    `INSERT INTO bucket_sweep (id, bucket_id, prefix, filters, force, workflow_id, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SWEEP_COLUMNS}`,
    [
      id,
      input.bucketId,
      input.prefix,
      JSON.stringify(input.filters),
      input.force,
      bucketSweepWorkflowId(id),
      input.requestedBy,
    ],
  )) as SweepRow[];
  return rows[0]!;
}

export async function findSweep(db: Db, id: string): Promise<SweepRow | undefined> {
  const rows = (await db.query(`SELECT ${SWEEP_COLUMNS} FROM bucket_sweep WHERE id = $1`, [
    id,
  ])) as SweepRow[];
  return rows[0];
}

export async function listSweeps(db: Db, bucketId: string): Promise<SweepRow[]> {
  return (await db.query(
    `SELECT ${SWEEP_COLUMNS} FROM bucket_sweep WHERE bucket_id = $1 ORDER BY requested_at DESC LIMIT 100`,
    [bucketId],
  )) as SweepRow[];
}

export async function markSweepRunning(db: Db, id: string): Promise<void> {
  await db.query(
    `UPDATE bucket_sweep SET status = 'running', started_at = coalesce(started_at, now())
      WHERE id = $1 AND status = 'queued'`,
    [id],
  );
}

export async function setSweepTotals(
  db: Db,
  id: string,
  totals: { listed: number; alreadyScanned: number },
): Promise<void> {
  await db.query(`UPDATE bucket_sweep SET listed = $2, already_scanned = $3 WHERE id = $1`, [
    id,
    totals.listed,
    totals.alreadyScanned,
  ]);
}

/** Verdict counts of the objects this sweep scanned (live while it runs). */
export async function sweepCounts(db: Db, id: string): Promise<SweepSummary> {
  const rows = (await db.query(
    `SELECT verdict, count(*)::int AS n FROM bucket_object_result WHERE sweep_id = $1 GROUP BY verdict`,
    [id],
  )) as Array<{ verdict: BucketVerdict; n: number }>;
  const n = (v: BucketVerdict) => rows.find((r) => r.verdict === v)?.n ?? 0;
  return { clean: n('CLEAN'), infected: n('INFECTED'), skipped: n('SKIPPED'), errors: n('ERROR') };
}

export async function finishSweep(db: Db, id: string, error?: string): Promise<void> {
  const summary = await sweepCounts(db, id);
  await db.query(
    `UPDATE bucket_sweep SET status = $2, error = $3, summary = $4, finished_at = now()
      WHERE id = $1 AND finished_at IS NULL`,
    [id, error ? 'failed' : 'completed', error ?? null, JSON.stringify(summary)],
  );
}
