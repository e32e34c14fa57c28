import type { ChildScanStart, OrganisationScanInput } from './organisation-scan.contract';

export const AuditTargetKinds = ['domain', 'organisation'] as const;
export type AuditTargetKind = (typeof AuditTargetKinds)[number];

/** What a schedule's action starts: one run of one recurring audit. */
export interface AuditRunInput {
  recurringAuditId: string;
}

/** The scan(s) one run created: a domain scan, or an organisation scan over all domains. */
export type AuditRun =
  | { kind: 'domain'; child: ChildScanStart }
  | { kind: 'organisation'; input: OrganisationScanInput; organisationSlug: string };

export interface RecurringAuditActivities {
  /**
   * Writes this run's scan row, once per run key (the run's workflow ID, unique per scheduled
   * time); null when the audit or its domain no longer exists.
   */
  createAuditRun(input: { recurringAuditId: string; runKey: string }): Promise<AuditRun | null>;
}

/** The stable schedule ID of an audit: the same organisation, target and name give the same ID. */
export function recurringAuditScheduleId(
  organisationId: string,
  target: { kind: 'domain'; domain: string } | { kind: 'organisation' },
  name: string,
): string {
  const what = target.kind === 'domain' ? `domain:${target.domain}` : 'organisation';
  return `audit:${organisationId}:${what}:${name}`;
}

/** The workflow ID a schedule gives its runs (Temporal appends the scheduled time). */
export function auditRunWorkflowId(recurringAuditId: string): string {
  return `audit-run:${recurringAuditId}`;
}
