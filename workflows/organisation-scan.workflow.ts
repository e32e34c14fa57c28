import {
  CancellationScope,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import {
  organisationScanProgressQuery,
  type OrganisationScanActivities,
  type OrganisationScanInput,
  type OrganisationScanProgress,
} from '../libs/contracts';
import { childDomainScanOptions } from './child-scan-options';
import { domainScan } from './domain-scan.workflow';

const bookkeeping = proxyActivities<OrganisationScanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/**
 * Every domain of an organisation, each as its own child `domainScan` (its own scan row and
 * workflow `domain-scan:<scanId>`), at most `concurrency` at a time. Progress is answerable
 * throughout; a worker restart replays to the same point and goes on.
 */
export async function organisationScan(
  input: OrganisationScanInput,
): Promise<OrganisationScanProgress> {
  const progress: OrganisationScanProgress = {
    organisationScanId: input.organisationScanId,
    status: 'queued',
    total: 0,
    pending: 0,
    running: 0,
    done: 0,
    failed: 0,
  };
  setHandler(organisationScanProgressQuery, () => progress);

  try {
    const domainIds = await bookkeeping.startOrganisationScan(input.organisationScanId);
    progress.status = 'running';
    progress.total = progress.pending = domainIds.length;
    let next = 0;
    // A fixed number of lanes, each taking the next domain: bounded concurrency, in name order.
    const lane = async () => {
      while (next < domainIds.length) {
        const domainId = domainIds[next++];
        progress.pending--;
        progress.running++;
        try {
          const child = await bookkeeping.createChildScan({
            organisationScanId: input.organisationScanId,
            domainId,
          });
          if (!child) {
            // Removed from the organisation since the scan began: nothing to scan.
            progress.total--;
            continue;
          }
          const result = await executeChild(domainScan, childDomainScanOptions(child));
          if (result.status === 'completed') progress.done++;
          else progress.failed++;
        } catch (err) {
          if (isCancellation(err)) throw err;
          progress.failed++;
          log.warn('child scan failed', { domainId, error: (err as Error).message });
        } finally {
          progress.running--;
        }
      }
    };
    const lanes = Math.max(1, Math.min(input.concurrency, domainIds.length));
    await Promise.all(Array.from({ length: lanes }, lane));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    progress.status = 'cancelled';
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishOrganisationScan({
        organisationScanId: input.organisationScanId,
        status: 'cancelled',
      }),
    );
    throw err;
  }

  // Like a domain scan: failed only when nothing could be scanned at all.
  const status = progress.total > 0 && progress.failed === progress.total ? 'failed' : 'completed';
  await bookkeeping.finishOrganisationScan({
    organisationScanId: input.organisationScanId,
    status,
    error: status === 'failed' ? 'every domain scan failed' : undefined,
  });
  progress.status = status;
  return progress;
}
