import type { DataSource } from 'typeorm';
import {
  DomainScanners,
  type ChildScanStart,
  type DomainScanner,
  type OrganisationScanActivities,
  type RecurringAuditActivities,
} from '../libs/contracts';
import {
  createChildScan,
  finishOrganisationScan,
  organisationDomainsAfter,
  startOrganisationScan,
  type ChildScan,
} from '../libs/db/organisation-scans.repository';
import { createAuditRunScan } from '../libs/db/recurring-audits.repository';

export interface OrganisationScanActivityDeps {
  dataSource: DataSource;
  /** Child scans at once for organisation scans started by a recurring audit. */
  concurrency: number;
}

/** What the parent needs to start a child's `domainScan`, from its stored rows. */
export function childScanStart({ scan, domain, organisation }: ChildScan): ChildScanStart {
  const scanners = (scan.scanners ?? [...DomainScanners]) as DomainScanner[];
  return {
    scanId: scan.id,
    workflowId: scan.workflowId,
    input: {
      scanId: scan.id,
      domain: domain.name,
      scanners,
      ...(scanners.includes('dkim') && domain.dkimSelectors.length
        ? { dkimSelectors: domain.dkimSelectors }
        : {}),
    },
    target: { ascii: domain.name, unicode: domain.unicodeName },
    organisationSlug: organisation.slug,
  };
}

/** The bookkeeping of organisation scans and recurring audit runs: rows only, no scanning. */
export function createOrganisationScanActivities(
  deps: OrganisationScanActivityDeps,
): OrganisationScanActivities & RecurringAuditActivities {
  const { dataSource } = deps;
  return {
    startOrganisationScan: (id) => startOrganisationScan(dataSource, id),

    listDomains: ({ organisationScanId, afterName, limit }) =>
      organisationDomainsAfter(dataSource, organisationScanId, afterName, Math.min(limit, 1000)),

    async createChildScan(input) {
      const child = await createChildScan(dataSource, input);
      return child && childScanStart(child);
    },

    async finishOrganisationScan({ organisationScanId, status, error }) {
      await finishOrganisationScan(dataSource, organisationScanId, status, error ?? null);
    },

    async createAuditRun({ recurringAuditId, runKey }) {
      const run = await createAuditRunScan(dataSource, {
        recurringAuditId,
        runKey,
        concurrency: deps.concurrency,
      });
      if (!run) return null;
      if (run.kind === 'domain') return { kind: 'domain', child: childScanStart(run) };
      return {
        kind: 'organisation',
        organisationSlug: run.organisation.slug,
        input: {
          organisationScanId: run.scan.id,
          organisationId: run.scan.organisationId,
          scanners: run.scan.scanners as DomainScanner[],
          concurrency: run.scan.concurrency,
        },
      };
    },
  };
}
