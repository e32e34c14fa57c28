import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { BucketScanActivities, ObjectScanInput, ObjectScanOutcome } from '../libs/contracts';

const { applyScanActions, recordScanError } = proxyActivities<BucketScanActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
});

const { notifyScanWebhook } = proxyActivities<BucketScanActivities>({
  startToCloseTimeout: '30 seconds',
  // A receiver that is down for a while still gets the verdict (about an hour of retries).
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
});

/**
 * One object version, from an upload notification: scan, act, notify. clamd or S3 trouble is
 * retried `scanAttempts` times, then the verdict is ERROR — never INFECTED, and nothing is deleted.
 */
export async function objectScan(input: ObjectScanInput): Promise<ObjectScanOutcome> {
  const { scanObject } = proxyActivities<BucketScanActivities>({
    // A 100 MB object at clamd's pace, with margin; heartbeats are not needed at this size.
    startToCloseTimeout: '10 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: input.scanAttempts,
    },
  });
  let outcome: ObjectScanOutcome;
  try {
    outcome = await scanObject(input);
  } catch (err) {
    const message = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    outcome = await recordScanError({ ...input, message });
  }
  if (!outcome.resultId || outcome.alreadyScanned) return outcome;
  await applyScanActions({ resultId: outcome.resultId });
  try {
    await notifyScanWebhook({ resultId: outcome.resultId });
  } catch {
    // Recorded on the result (actions.webhook); the verdict and the actions stand.
  }
  return outcome;
}
