import { defineQuery } from '@temporalio/workflow';
import type { DomainScanInput } from './domain-scan.contract';
import { OrganisationAttribute, ScanKindAttribute, ScanTargetAttribute } from './search-attributes';
import { TaskQueues } from './task-queues';
import type { DomainScanner, ScanStatus } from './scan.contract';

export interface OrganisationScanInput {
  organisationScanId: string;
  organisationId: string;
  scanners: DomainScanner[];
  /** Child domain scans running at once. */
  concurrency: number;
  /** Domains read per page (default 100). */
  pageSize?: number;
  /** Domains one run handles before it continues as new, keeping its history small (default 1000). */
  domainsPerRun?: number;
  /** Where a continued run picks up: after this domain name, with the counts so far. */
  resume?: { afterName: string; counts: OrganisationScanCounts };
}

export interface OrganisationScanCounts {
  total: number;
  running: number;
  done: number;
  failed: number;
}

/** Counts of the child scans; `pending` have not started yet. */
export interface OrganisationScanProgress {
  organisationScanId: string;
  status: ScanStatus;
  total: number;
  pending: number;
  running: number;
  done: number;
  failed: number;
}

/** A child domain scan, its row already written: what the parent needs to start its workflow. */
export interface ChildScanStart {
  scanId: string;
  workflowId: string;
  input: DomainScanInput;
  /** For the Temporal UI's filters and memo. */
  target: { ascii: string; unicode: string };
  organisationSlug: string;
}

/** The activities `organisationScan` calls; workflows import this type only. */
export interface OrganisationScanActivities {
  /** Marks the scan running; answers how many domains the organisation has now. */
  startOrganisationScan(organisationScanId: string): Promise<number>;
  /** The next page of the organisation's domains, by name, after `afterName`. */
  listDomains(input: {
    organisationScanId: string;
    afterName: string | null;
    limit: number;
  }): Promise<Array<{ id: string; name: string }>>;
  /** Writes the child's scan row, once per (organisation scan, domain); null if the domain went. */
  createChildScan(input: {
    organisationScanId: string;
    domainId: string;
  }): Promise<ChildScanStart | null>;
  finishOrganisationScan(input: {
    organisationScanId: string;
    status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>;
    error?: string;
  }): Promise<void>;
}

/** Live progress of an organisation scan; answered by the workflow, never mutating it. */
export const organisationScanProgressQuery =
  defineQuery<OrganisationScanProgress>('organisationProgress');

export function organisationScanWorkflowId(organisationScanId: string): string {
  return `organisation-scan:${organisationScanId}`;
}

/** How an organisation scan's workflow is started, by the API or as an audit run's child. */
export function organisationScanStart(input: OrganisationScanInput, organisationSlug: string) {
  return {
    workflowId: organisationScanWorkflowId(input.organisationScanId),
    taskQueue: TaskQueues.domainScans,
    args: [input] as [OrganisationScanInput],
    typedSearchAttributes: [
      { key: ScanKindAttribute, value: 'organisation' },
      { key: OrganisationAttribute, value: organisationSlug },
    ],
    memo: { organisation: organisationSlug },
  };
}

/**
 * How a domain scan's workflow is started: its ID, queue, input, and the search attributes and
 * memo the Temporal UI filters on. Used by parents starting children; the API's
 * `requestDomainScan` builds the same options.
 */
export function domainScanStart(child: ChildScanStart) {
  return {
    workflowId: child.workflowId,
    taskQueue: TaskQueues.domainScans,
    args: [child.input] as [DomainScanInput],
    typedSearchAttributes: [
      { key: ScanKindAttribute, value: 'domain' },
      { key: ScanTargetAttribute, value: child.target.ascii },
      { key: OrganisationAttribute, value: child.organisationSlug },
    ],
    memo: { target: child.target.unicode, organisation: child.organisationSlug },
  };
}
