import {
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BucketScanActivities, BucketSweepInput, SweepProgress } from '../libs/contracts';

export const sweepProgressQuery = defineQuery<SweepProgress>('sweepProgress');

const { markSweepRunning, listSweepPage, finishSweep } = proxyActivities<BucketScanActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
});

const { scanSweepBatch } = proxyActivities<BucketScanActivities>({
  // A page of 1000 objects; heartbeats notice a dead worker within 30 s and the retry resumes.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 20 },
});

/** Pages per run before continue-as-new keeps the history small for buckets of millions. */
const PAGES_PER_RUN = 20;

/** Scans what a bucket already holds: listing page by page, a bounded batch per page. */
export async function bucketSweep(input: BucketSweepInput): Promise<void> {
  let totals = input.totals ?? { listed: 0, alreadyScanned: 0 };
  const progress: SweepProgress = { ...totals, scanned: 0, pages: 0 };
  setHandler(sweepProgressQuery, () => progress);
  if (!input.continuationToken) await markSweepRunning({ sweepId: input.sweepId });
  let token = input.continuationToken ?? null;
  try {
    for (;;) {
      const page = await listSweepPage({
        sweepId: input.sweepId,
        continuationToken: token,
        totals,
      });
      totals = page.totals;
      Object.assign(progress, totals);
      if (page.objects.length) {
        const { scanned } = await scanSweepBatch({
          sweepId: input.sweepId,
          objects: page.objects,
          scanAttempts: input.scanAttempts,
        });
        progress.scanned += scanned;
      }
      progress.pages++;
      token = page.next;
      if (!token) break;
      if (progress.pages >= PAGES_PER_RUN) {
        await continueAsNew<typeof bucketSweep>({ ...input, continuationToken: token, totals });
      }
    }
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    await finishSweep({ sweepId: input.sweepId, error: String((err as Error).message ?? err) });
    throw err;
  }
  await finishSweep({ sweepId: input.sweepId });
}
