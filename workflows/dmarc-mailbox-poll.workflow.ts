import { executeChild, proxyActivities } from '@temporalio/workflow';
import {
  dmarcReportIngestWorkflowId,
  type DmarcMailboxActivities,
  type DmarcMailboxPollOutcome,
} from '../libs/contracts';
import { dmarcReportIngest } from './dmarc-report-ingest.workflow';

const { fetchDmarcMailbox, settleDmarcMailbox } = proxyActivities<DmarcMailboxActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/** Batches per run; anything beyond waits for the next scheduled run. */
const MAX_BATCHES = 20;

/**
 * One poll of the DMARC mailbox (started by the `dmarc-mailbox-poll` Schedule): each message is
 * stored and ingested by its own `dmarcReportIngest` child, then moved to the processed folder,
 * or to the failed folder when nothing in it could be read.
 */
export async function dmarcMailboxPoll(): Promise<DmarcMailboxPollOutcome> {
  const total = { processed: 0, failed: 0 };
  for (let round = 0; round < MAX_BATCHES; round++) {
    const batch = await fetchDmarcMailbox();
    const processed: number[] = [];
    const failed: number[] = [];
    for (const message of batch.messages) {
      if (!message.uploadId) {
        failed.push(message.uid);
        continue;
      }
      try {
        const outcome = await executeChild(dmarcReportIngest, {
          args: [{ uploadId: message.uploadId }],
          workflowId: dmarcReportIngestWorkflowId(message.uploadId),
        });
        (outcome.stored + outcome.duplicates > 0 ? processed : failed).push(message.uid);
      } catch (err) {
        // Started by an earlier poll that did not get to move the message: that ingest counts.
        if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError')
          processed.push(message.uid);
        else failed.push(message.uid);
      }
    }
    await settleDmarcMailbox({ uidValidity: batch.uidValidity, processed, failed });
    total.processed += processed.length;
    total.failed += failed.length;
    if (!batch.more) break;
  }
  return total;
}
