import {
  CancellationScope,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  organisationScanProgressQuery,
  type OrganisationScanActivities,
  type OrganisationScanCounts,
  type OrganisationScanInput,
  type OrganisationScanProgress,
  type ScanStatus,
} from '../libs/contracts';
import { childDomainScanOptions } from './child-scan-options';
import { domainScan } from './domain-scan.workflow';

const bookkeeping = proxyActivities<OrganisationScanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/**
 * Every domain of an organisation, each as its own child `domainScan` (its own scan row and
 * workflow `domain-scan:<scanId>`), at most `concurrency` at a time, page by page in name order.
 * After `domainsPerRun` domains (or when Temporal suggests it) it continues as new, so a large
 * organisation never outgrows one workflow history. Progress is answerable throughout; a worker
 * restart replays to the same point and goes on.
 */
export async function organisationScan(
  input: OrganisationScanInput,
): Promise<OrganisationScanProgress> {
  const pageSize = input.pageSize ?? 100;
  const domainsPerRun = input.domainsPerRun ?? 1000;
  const counts: OrganisationScanCounts = input.resume?.counts
    ? { ...input.resume.counts, running: 0 }
    : { total: 0, running: 0, done: 0, failed: 0 };
  let status: ScanStatus = input.resume ? 'running' : 'queued';
  const progress = (): OrganisationScanProgress => ({
    organisationScanId: input.organisationScanId,
    status,
    ...counts,
    pending: Math.max(0, counts.total - counts.done - counts.failed - counts.running),
  });
  setHandler(organisationScanProgressQuery, progress);

  /** One domain: its child scan row, then its child workflow. */
  async function scanDomain(domainId: string): Promise<void> {
    counts.running++;
    // A domain added since the count started still gets scanned, and counted.
    counts.total = Math.max(counts.total, counts.done + counts.failed + counts.running);
    try {
      const child = await bookkeeping.createChildScan({
        organisationScanId: input.organisationScanId,
        domainId,
      });
      if (!child) {
        // Removed from the organisation since the page was read: nothing to scan.
        counts.total--;
        return;
      }
      const result = await executeChild(domainScan, childDomainScanOptions(child));
      if (result.status === 'completed') counts.done++;
      else counts.failed++;
    } catch (err) {
      if (isCancellation(err)) throw err;
      counts.failed++;
      log.warn('child scan failed', { domainId, error: (err as Error).message });
    } finally {
      counts.running--;
    }
  }

  try {
    if (!input.resume) {
      counts.total = await bookkeeping.startOrganisationScan(input.organisationScanId);
      status = 'running';
    }
    let afterName = input.resume?.afterName ?? null;
    let handled = 0;
    for (;;) {
      const page = await bookkeeping.listDomains({
        organisationScanId: input.organisationScanId,
        afterName,
        limit: pageSize,
      });
      // A fixed number of lanes, each taking the next domain of the page: bounded concurrency.
      let next = 0;
      const lane = async () => {
        while (next < page.length) await scanDomain(page[next++].id);
      };
      await Promise.all(Array.from({ length: Math.min(input.concurrency, page.length) }, lane));
      if (page.length < pageSize) break;
      afterName = page[page.length - 1].name;
      handled += page.length;
      if (handled >= domainsPerRun || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof organisationScan>({
          ...input,
          resume: { afterName, counts: { ...counts } },
        });
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    status = 'cancelled';
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishOrganisationScan({
        organisationScanId: input.organisationScanId,
        status: 'cancelled',
      }),
    );
    throw err;
  }

  // Like a domain scan: failed only when nothing could be scanned at all.
  status = counts.total > 0 && counts.failed === counts.total ? 'failed' : 'completed';
  await bookkeeping.finishOrganisationScan({
    organisationScanId: input.organisationScanId,
    status,
    error: status === 'failed' ? 'every domain scan failed' : undefined,
  });
  return progress();
}
