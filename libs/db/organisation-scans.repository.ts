import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { organisationScanWorkflowId } from '../contracts/organisation-scan.contract';
import type { ScanStatus } from '../contracts/scan.contract';
import { DomainEntity, OrganisationEntity, ScanEntity } from './entities';
import { insertDomainScan } from './scans.repository';

export interface OrganisationScanRow {
  id: string;
  organisationId: string;
  status: ScanStatus;
  workflowId: string;
  scanners: string[];
  concurrency: number;
  domainCount: number | null;
  requestedBy: string | null;
  recurringAuditId: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

const COLUMNS = `id, organisation_id AS "organisationId", status, workflow_id AS "workflowId",
  scanners, concurrency, domain_count AS "domainCount", requested_by AS "requestedBy",
  recurring_audit_id AS "recurringAuditId", requested_at AS "requestedAt",
  started_at AS "startedAt", finished_at AS "finishedAt", error`;

type Queryable = DataSource | EntityManager;

/**
 * Writes a queued organisation scan. With `auditRun` it is written once per run: a second call
 * answers the first row.
 */
export async function createOrganisationScan(
  q: Queryable,
  input: {
    organisationId: string;
    scanners: string[];
    concurrency: number;
    requestedBy: string | null;
    recurringAuditId?: string;
    auditRun?: string;
  },
): Promise<OrganisationScanRow> {
  const id = randomUUID();
  await q.query(
    `INSERT INTO organisation_scan (id, organisation_id, status, workflow_id, scanners, concurrency,
       domain_count, requested_by, recurring_audit_id, audit_run)
     VALUES ($1, $2, 'queued', $3, $4, $5,
       (SELECT count(*) FROM domain WHERE organisation_id = $2), $6, $7, $8)
     ON CONFLICT DO NOTHING`,
    [
      id,
      input.organisationId,
      organisationScanWorkflowId(id),
      input.scanners,
      input.concurrency,
      input.requestedBy,
      input.recurringAuditId ?? null,
      input.auditRun ?? null,
    ],
  );
  const rows = (await q.query(
    `SELECT ${COLUMNS} FROM organisation_scan WHERE id = $1 OR ($2::text IS NOT NULL AND audit_run = $2)`,
    [id, input.auditRun ?? null],
  )) as OrganisationScanRow[];
  return rows[0];
}

export async function findOrganisationScan(
  q: Queryable,
  id: string,
): Promise<OrganisationScanRow | null> {
  const rows = (await q.query(`SELECT ${COLUMNS} FROM organisation_scan WHERE id = $1`, [
    id,
  ])) as OrganisationScanRow[];
  return rows[0] ?? null;
}

/** Marks it running and records how many domains its organisation has now. */
export async function startOrganisationScan(ds: DataSource, id: string): Promise<number> {
  // UPDATE … RETURNING answers [rows, affected] through TypeORM's postgres driver.
  const [rows] = (await ds.query(
    `UPDATE organisation_scan SET status = 'running', started_at = COALESCE(started_at, now()),
       domain_count = (SELECT count(*) FROM domain d WHERE d.organisation_id = organisation_scan.organisation_id)
     WHERE id = $1 AND status IN ('queued', 'running') RETURNING domain_count`,
    [id],
  )) as [Array<{ domain_count: number }>, number];
  return rows[0]?.domain_count ?? 0;
}

/** A page of the scan's organisation's domains, by name (keyset: after `afterName`). */
export function organisationDomainsAfter(
  q: Queryable,
  organisationScanId: string,
  afterName: string | null,
  limit: number,
): Promise<Array<{ id: string; name: string }>> {
  return q.query(
    `SELECT d.id, d.name FROM domain d
       JOIN organisation_scan o ON o.organisation_id = d.organisation_id
     WHERE o.id = $1 AND ($2::text IS NULL OR d.name > $2)
     ORDER BY d.name LIMIT $3`,
    [organisationScanId, afterName, limit],
  ) as Promise<Array<{ id: string; name: string }>>;
}

export interface ChildScan {
  scan: ScanEntity;
  domain: DomainEntity;
  organisation: OrganisationEntity;
}

/** The child scan of one domain: written on the first call, found on every later one. */
export async function createChildScan(
  ds: DataSource,
  input: { organisationScanId: string; domainId: string },
): Promise<ChildScan | null> {
  return ds.transaction(async (m) => {
    const parent = await findOrganisationScan(m, input.organisationScanId);
    const domain = await m.findOneBy(DomainEntity, { id: input.domainId });
    if (!parent || !domain || domain.organisationId !== parent.organisationId) return null;
    await insertDomainScan(m, {
      organisationId: parent.organisationId,
      domain,
      requestedBy: parent.requestedBy,
      scanners: parent.scanners,
      origin: {
        organisationScanId: parent.id,
        recurringAuditId: parent.recurringAuditId,
      },
    });
    const [{ id }] = (await m.query(
      `SELECT id FROM scan WHERE organisation_scan_id = $1 AND domain_id = $2`,
      [parent.id, domain.id],
    )) as Array<{ id: string }>;
    return {
      scan: await m.findOneByOrFail(ScanEntity, { id }),
      domain,
      organisation: await m.findOneByOrFail(OrganisationEntity, { id: parent.organisationId }),
    };
  });
}

/** Idempotent: a finished organisation scan keeps its first finish time. */
export async function finishOrganisationScan(
  q: Queryable,
  id: string,
  status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>,
  error: string | null,
): Promise<void> {
  await q.query(
    `UPDATE organisation_scan SET status = $2, error = $3, finished_at = COALESCE(finished_at, now()),
       started_at = COALESCE(started_at, now())
     WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, status, error],
  );
}

export interface ChildCounts {
  total: number;
  pending: number;
  running: number;
  done: number;
  failed: number;
}

/** Progress from the stored child scans: what the API answers once the workflow has finished. */
export async function organisationScanCounts(
  q: Queryable,
  scan: OrganisationScanRow,
): Promise<ChildCounts> {
  const rows = (await q.query(
    `SELECT status, count(*)::int AS n FROM scan WHERE organisation_scan_id = $1 GROUP BY status`,
    [scan.id],
  )) as Array<{ status: ScanStatus; n: number }>;
  const n = (...s: ScanStatus[]) =>
    rows.filter((r) => s.includes(r.status)).reduce((a, r) => a + r.n, 0);
  const created = n('queued', 'running', 'completed', 'failed', 'cancelled');
  const total = Math.max(scan.domainCount ?? 0, created);
  return {
    total,
    pending: total - created + n('queued'),
    running: n('running'),
    done: n('completed'),
    failed: n('failed', 'cancelled'),
  };
}

export function organisationChildScans(
  q: Queryable,
  organisationScanId: string,
  limit: number,
): Promise<ScanEntity[]> {
  return q
    .getRepository(ScanEntity)
    .createQueryBuilder('s')
    .where('s.organisation_scan_id = :id', { id: organisationScanId })
    .orderBy('s.target', 'ASC')
    .limit(limit)
    .getMany();
}

/** The organisation scans a recurring audit's runs made, newest first. */
export function recurringAuditOrganisationScans(
  q: Queryable,
  recurringAuditId: string,
  limit: number,
): Promise<OrganisationScanRow[]> {
  return q.query(
    `SELECT ${COLUMNS} FROM organisation_scan WHERE recurring_audit_id = $1
     ORDER BY requested_at DESC, id LIMIT $2`,
    [recurringAuditId, limit],
  ) as Promise<OrganisationScanRow[]>;
}
