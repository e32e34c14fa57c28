import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditTargetKind } from '../contracts/recurring-audit.contract';
import { DomainEntity, OrganisationEntity, ScanEntity } from './entities';
import {
  createOrganisationScan,
  type ChildScan,
  type OrganisationScanRow,
} from './organisation-scans.repository';
import { insertDomainScan } from './scans.repository';

export interface RecurringAuditRow {
  id: string;
  organisationId: string;
  name: string;
  targetKind: AuditTargetKind;
  domainId: string | null;
  /** The domain's ASCII name, for a domain audit (kept when the domain is removed). */
  domainName: string | null;
  /** False when the audited domain has been removed from the organisation. */
  domainPresent: boolean;
  scanners: string[] | null;
  scheduleId: string;
  createdBy: string | null;
  createdAt: Date;
}

const SELECT = `SELECT a.id, a.organisation_id AS "organisationId", a.name,
    a.target_kind AS "targetKind", a.domain_id AS "domainId", a.domain_name AS "domainName",
    (a.target_kind = 'organisation' OR a.domain_id IS NOT NULL) AS "domainPresent", a.scanners,
    a.schedule_id AS "scheduleId", a.created_by AS "createdBy", a.created_at AS "createdAt"
  FROM recurring_audit a`;

/** Writes the audit unless one with the same schedule ID exists; answers the stored row. */
export async function upsertRecurringAudit(
  ds: DataSource,
  input: {
    organisationId: string;
    name: string;
    targetKind: AuditTargetKind;
    domain: { id: string; name: string } | null;
    scanners: string[] | null;
    scheduleId: string;
    createdBy: string | null;
  },
): Promise<{ audit: RecurringAuditRow; created: boolean }> {
  const inserted = (await ds.query(
    `INSERT INTO recurring_audit (id, organisation_id, name, target_kind, domain_id, domain_name,
       scanners, schedule_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (schedule_id) DO NOTHING RETURNING id`,
    [
      randomUUID(),
      input.organisationId,
      input.name,
      input.targetKind,
      input.domain?.id ?? null,
      input.domain?.name ?? null,
      input.scanners,
      input.scheduleId,
      input.createdBy,
    ],
  )) as Array<{ id: string }>;
  const [audit] = (await ds.query(`${SELECT} WHERE a.schedule_id = $1`, [
    input.scheduleId,
  ])) as RecurringAuditRow[];
  return { audit, created: inserted.length > 0 };
}

export async function findRecurringAudit(
  ds: DataSource,
  id: string,
): Promise<RecurringAuditRow | null> {
  const rows = (await ds.query(`${SELECT} WHERE a.id = $1`, [id])) as RecurringAuditRow[];
  return rows[0] ?? null;
}

export function listRecurringAudits(
  ds: DataSource,
  organisationId: string,
): Promise<RecurringAuditRow[]> {
  return ds.query(`${SELECT} WHERE a.organisation_id = $1 ORDER BY a.name, a.id`, [
    organisationId,
  ]) as Promise<RecurringAuditRow[]>;
}

export async function setRecurringAuditScanners(
  ds: DataSource,
  id: string,
  scanners: string[] | null,
): Promise<void> {
  await ds.query(`UPDATE recurring_audit SET scanners = $2 WHERE id = $1`, [id, scanners]);
}

export async function deleteRecurringAudit(ds: DataSource, id: string): Promise<void> {
  await ds.query(`DELETE FROM recurring_audit WHERE id = $1`, [id]);
}

/** The scans a recurring audit produced (a domain audit's, or its organisation scans' children). */
export function recurringAuditScans(
  ds: DataSource,
  recurringAuditId: string,
  limit: number,
): Promise<ScanEntity[]> {
  return ds
    .getRepository(ScanEntity)
    .createQueryBuilder('s')
    .where('s.recurring_audit_id = :id', { id: recurringAuditId })
    .orderBy('s.requested_at', 'DESC')
    .addOrderBy('s.id', 'ASC')
    .limit(limit)
    .getMany();
}

export type AuditRunRows =
  | ({ kind: 'domain' } & ChildScan)
  | { kind: 'organisation'; scan: OrganisationScanRow; organisation: OrganisationEntity };

/**
 * The scan row(s) of one scheduled run, written once per run key; null if the audit, or the domain
 * it audits, is gone.
 */
export async function createAuditRunScan(
  ds: DataSource,
  input: { recurringAuditId: string; runKey: string; concurrency: number },
): Promise<AuditRunRows | null> {
  const audit = await findRecurringAudit(ds, input.recurringAuditId);
  if (!audit) return null;
  const organisation = await ds
    .getRepository(OrganisationEntity)
    .findOneByOrFail({ id: audit.organisationId });
  const requestedBy = `audit:${audit.id}`;
  if (audit.targetKind === 'organisation') {
    const scan = await createOrganisationScan(ds, {
      organisationId: audit.organisationId,
      scanners: audit.scanners ?? [],
      concurrency: input.concurrency,
      requestedBy,
      recurringAuditId: audit.id,
      auditRun: input.runKey,
    });
    return { kind: 'organisation', scan, organisation };
  }
  if (!audit.domainId) return null; // the domain was removed from the organisation
  return ds.transaction(async (m) => {
    const domain = await m.findOneBy(DomainEntity, { id: audit.domainId! });
    if (!domain) return null;
    await insertDomainScan(m, {
      organisationId: audit.organisationId,
      domain,
      requestedBy,
      scanners: audit.scanners,
      origin: { recurringAuditId: audit.id, auditRun: input.runKey },
    });
    const [{ id }] = (await m.query(`SELECT id FROM scan WHERE audit_run = $1`, [
      input.runKey,
    ])) as Array<{ id: string }>;
    const scan = await m.findOneByOrFail(ScanEntity, { id });
    return { kind: 'domain' as const, scan, domain, organisation };
  });
}
