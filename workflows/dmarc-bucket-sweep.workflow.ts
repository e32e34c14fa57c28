import { continueAsNew, executeChild, proxyActivities } from '@temporalio/workflow';
import {
  dmarcReportIngestWorkflowId,
  type DmarcBucketActivities,
  type DmarcBucketSweepOutcome,
} from '../libs/contracts';
import { dmarcReportIngest } from './dmarc-report-ingest.workflow';

const { fetchDmarcBucketPage } = proxyActivities<DmarcBucketActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/** Pages per run before continuing as new, so a bucket of any size keeps the history small. */
const PAGES_PER_RUN = 20;

/**
 * One sweep of the DMARC report prefix of a bucket (started by the `dmarc-bucket-sweep`
 * Schedule): each new object is stored and ingested by its own `dmarcReportIngest` child, the way
 * mailbox messages and API uploads are. Objects already taken are skipped.
 */
export async function dmarcBucketSweep(
  input: { startAfter?: string; total?: DmarcBucketSweepOutcome } = {},
): Promise<DmarcBucketSweepOutcome> {
  const total = input.total ?? { ingested: 0, skipped: 0, refused: 0 };
  let startAfter = input.startAfter;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const batch = await fetchDmarcBucketPage({ startAfter });
    total.skipped += batch.skipped;
    for (const object of batch.objects) {
      if (!object.uploadId) {
        total.refused++;
        continue;
      }
      try {
        await executeChild(dmarcReportIngest, {
          args: [{ uploadId: object.uploadId }],
          workflowId: dmarcReportIngestWorkflowId(object.uploadId),
        });
      } catch (err) {
        // Started by an earlier attempt of this sweep: that ingest counts.
        if (!(err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError'))
          throw err;
      }
      total.ingested++;
    }
    if (!batch.next) return total;
    startAfter = batch.next;
  }
  return continueAsNew<typeof dmarcBucketSweep>({ startAfter, total });
}
