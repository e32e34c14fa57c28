import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  domainScanWorkflowId,
  type ResultStatus,
  type ScanStatus,
} from '../contracts/scan.contract';
import { DomainEntity, ScanEntity, ScanResultEntity } from './entities';

/** Where changes of a scan or its progress are announced (by triggers), payload `{"scanId"}`. */
export const SCAN_PROGRESS_CHANNEL = 'perimeter_scan_progress';

export async function ensureDomain(
  m: EntityManager,
  organisationId: string,
  name: { ascii: string; unicode: string },
): Promise<DomainEntity> {
  await m.query(
    `INSERT INTO domain (id, organisation_id, name, unicode_name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organisation_id, name) DO NOTHING`,
    [randomUUID(), organisationId, name.ascii, name.unicode],
  );
  return m.findOneByOrFail(DomainEntity, { organisationId, name: name.ascii });
}

/** Where a scan came from besides a direct request: an organisation scan, a recurring audit. */
export interface ScanOrigin {
  organisationScanId?: string;
  recurringAuditId?: string | null;
  /** The scheduled run that created it (unique). */
  auditRun?: string;
}

/**
 * Inserts a queued domain scan row. Answers its ID, or null when a row with the same origin (the
 * same organisation scan and domain, or the same audit run) exists already.
 */
export async function insertDomainScan(
  m: EntityManager,
  input: {
    organisationId: string;
    domain: DomainEntity;
    requestedBy: string | null;
    scanners?: string[] | null;
    origin?: ScanOrigin;
  },
): Promise<string | null> {
  const id = randomUUID();
  const rows = (await m.query(
    `INSERT INTO scan (id, kind, target, organisation_id, domain_id, status, workflow_id,
       requested_by, scanners, organisation_scan_id, recurring_audit_id, audit_run)
     VALUES ($1, 'domain', $2, $3, $4, 'queued', $5, $6, $7, $8, $9, $10)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      id,
      input.domain.name,
      input.organisationId,
      input.domain.id,
      domainScanWorkflowId(id),
      input.requestedBy,
      input.scanners ?? null,
      input.origin?.organisationScanId ?? null,
      input.origin?.recurringAuditId ?? null,
      input.origin?.auditRun ?? null,
    ],
  )) as Array<{ id: string }>;
  const inserted = rows[0]?.id ?? null;
  if (inserted) await insertPendingProgress(m, inserted, input.scanners ?? []);
  return inserted;
}

/** Writes the domain (if new) and the queued scan row in one transaction. */
export async function createDomainScan(
  ds: DataSource,
  input: {
    organisationId: string;
    domain: { ascii: string; unicode: string };
    requestedBy: string | null;
    scanners?: string[];
  },
): Promise<{ scan: ScanEntity; domain: DomainEntity }> {
  return ds.transaction(async (m) => {
    const domain = await ensureDomain(m, input.organisationId, input.domain);
    const id = await insertDomainScan(m, { ...input, domain });
    return { scan: await m.findOneByOrFail(ScanEntity, { id: id! }), domain };
  });
}

/** Adds selectors to those remembered for a domain; returns them all. */
export async function rememberDkimSelectors(
  ds: DataSource,
  domainId: string,
  selectors: string[],
): Promise<string[]> {
  // UPDATE … RETURNING answers [rows, affected] through TypeORM's postgres driver.
  const [rows] = (await ds.query(
    `UPDATE domain SET dkim_selectors = ARRAY(
       SELECT DISTINCT s FROM unnest(dkim_selectors || $2::text[]) AS s ORDER BY s)
     WHERE id = $1 RETURNING dkim_selectors`,
    [domainId, selectors],
  )) as [Array<{ dkim_selectors: string[] }>, number];
  return rows[0]?.dkim_selectors ?? [];
}

/** A scan's scanners start `pending`, in the transaction that creates the scan. */
export async function insertPendingProgress(
  m: EntityManager,
  scanId: string,
  scanners: readonly string[],
): Promise<void> {
  if (scanners.length === 0) return;
  await m.query(
    `INSERT INTO scan_progress (scan_id, scanner, state)
     SELECT $1, s, 'pending' FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING`,
    [scanId, scanners],
  );
}

/** An attempt of a scanner's activity has begun; the first attempt's start is kept. */
export async function markScannerRunning(
  ds: DataSource,
  scanId: string,
  scanner: string,
  attempt: number,
): Promise<void> {
  await ds.query(
    `INSERT INTO scan_progress (scan_id, scanner, state, attempt, started_at, updated_at)
     VALUES ($1, $2, 'running', $3, now(), now())
     ON CONFLICT (scan_id, scanner) DO UPDATE SET state = 'running', attempt = EXCLUDED.attempt,
       started_at = COALESCE(scan_progress.started_at, EXCLUDED.started_at), updated_at = now()
     WHERE scan_progress.state IN ('pending', 'running')`,
    [scanId, scanner, attempt],
  );
}

export interface ScanProgressRow {
  scanner: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'could-not-determine' | 'cancelled';
  attempt: number;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export async function findScanProgress(db: DataSource, scanId: string): Promise<ScanProgressRow[]> {
  return (await db.query(
    `SELECT scanner, state, attempt, error, started_at AS "startedAt", finished_at AS "finishedAt"
     FROM scan_progress WHERE scan_id = $1`,
    [scanId],
  )) as ScanProgressRow[];
}

export async function markScanRunning(ds: DataSource, scanId: string): Promise<void> {
  await ds.query(
    `UPDATE scan SET status = 'running', started_at = COALESCE(started_at, now())
     WHERE id = $1 AND status IN ('queued', 'running')`,
    [scanId],
  );
}

/** Idempotent: a finished scan keeps its first finish time. */
export async function finishScan(
  ds: DataSource,
  scanId: string,
  status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>,
  error: string | null,
): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(
      `UPDATE scan SET status = $2, error = $3, finished_at = COALESCE(finished_at, now()),
         started_at = COALESCE(started_at, now())
       WHERE id = $1 AND status IN ('queued', 'running')`,
      [scanId, status, error],
    );
    // Scanners that never got to finish: cancelled with the scan, or failed with it.
    await m.query(
      `UPDATE scan_progress SET state = $2, finished_at = COALESCE(finished_at, now()), updated_at = now()
       WHERE scan_id = $1 AND state IN ('pending', 'running')`,
      [scanId, status === 'cancelled' ? 'cancelled' : 'failed'],
    );
  });
}

export interface ScanResultWrite {
  scanId: string;
  scanner: string;
  status: ResultStatus;
  data: Record<string, unknown> | null;
  error: string | null;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
}

/** One row per (scan, scanner): an activity retried after a crash overwrites, never duplicates. */
export async function upsertScanResult(ds: DataSource, r: ScanResultWrite): Promise<string> {
  return ds.transaction(async (m) => {
    const id = await writeScanResult(m, r);
    // The scanner's progress changes in the same transaction as its result.
    await m.query(
      `INSERT INTO scan_progress (scan_id, scanner, state, attempt, error, started_at, finished_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (scan_id, scanner) DO UPDATE SET state = EXCLUDED.state,
         attempt = EXCLUDED.attempt, error = EXCLUDED.error,
         started_at = COALESCE(scan_progress.started_at, EXCLUDED.started_at),
         finished_at = EXCLUDED.finished_at, updated_at = now()`,
      [
        r.scanId,
        r.scanner,
        r.status === 'completed'
          ? 'done'
          : r.status === 'unknown'
            ? 'could-not-determine'
            : 'failed',
        r.attempt,
        r.error,
        r.startedAt,
        r.finishedAt,
      ],
    );
    return id;
  });
}

async function writeScanResult(m: EntityManager, r: ScanResultWrite): Promise<string> {
  const rows = (await m.query(
    `INSERT INTO scan_result (id, scan_id, scanner, status, data, error, attempt, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (scan_id, scanner) DO UPDATE SET
       status = EXCLUDED.status, data = EXCLUDED.data, error = EXCLUDED.error,
       attempt = EXCLUDED.attempt, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at
     RETURNING id`,
    [
      randomUUID(),
      r.scanId,
      r.scanner,
      r.status,
      r.data === null ? null : JSON.stringify(r.data),
      r.error,
      r.attempt,
      r.startedAt,
      r.finishedAt,
    ],
  )) as Array<{ id: string }>;
  return rows[0].id;
}

export function findScan(ds: DataSource, id: string): Promise<ScanEntity | null> {
  return ds.getRepository(ScanEntity).findOneBy({ id });
}

export function findScanResults(ds: DataSource, scanId: string): Promise<ScanResultEntity[]> {
  return ds.getRepository(ScanResultEntity).find({ where: { scanId }, order: { scanner: 'ASC' } });
}

/** The data of the newest completed result of `scanner` for the same domain, before this scan. */
export async function previousResultData(
  ds: DataSource,
  scanId: string,
  scanner: string,
): Promise<Record<string, unknown> | null> {
  const rows = (await ds.query(
    `SELECT r.data FROM scan_result r
       JOIN scan s ON s.id = r.scan_id
       JOIN scan current ON current.id = $1
     WHERE s.domain_id = current.domain_id AND r.scanner = $2 AND r.status = 'completed'
       AND r.scan_id <> $1 AND s.requested_at < current.requested_at
     ORDER BY s.requested_at DESC LIMIT 1`,
    [scanId, scanner],
  )) as Array<{ data: Record<string, unknown> | null }>;
  return rows[0]?.data ?? null;
}
