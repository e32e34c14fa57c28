import { executeChild, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  organisationScanStart,
  type RecurringAuditActivities,
  type AuditRunInput,
} from '../libs/contracts';
import { childDomainScanOptions } from './child-scan-options';
import { domainScan } from './domain-scan.workflow';
import { organisationScan } from './organisation-scan.workflow';

const bookkeeping = proxyActivities<RecurringAuditActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/**
 * One run of a recurring audit, started by its Temporal Schedule: writes the run's scan row (once
 * per run, keyed by this workflow's ID) and runs the domain or organisation scan as a child.
 */
export async function auditRun(input: AuditRunInput): Promise<string | null> {
  const run = await bookkeeping.createAuditRun({
    recurringAuditId: input.recurringAuditId,
    runKey: workflowInfo().workflowId,
  });
  if (!run) {
    log.warn('audit or its domain no longer exists; nothing to scan', { ...input });
    return null;
  }
  if (run.kind === 'domain') {
    await executeChild(domainScan, childDomainScanOptions(run.child));
    return run.child.scanId;
  }
  await executeChild(organisationScan, organisationScanStart(run.input, run.organisationSlug));
  return run.input.organisationScanId;
}
