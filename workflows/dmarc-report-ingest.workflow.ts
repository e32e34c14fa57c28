import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type {
  DmarcReportIngestActivities,
  DmarcReportIngestInput,
  DmarcReportIngestOutcome,
} from '../libs/contracts';

const { ingestDmarcUpload } = proxyActivities<DmarcReportIngestActivities>({
  // A 100 MB report streams in a minute or so; it heartbeats every batch, so a dead worker is
  // noticed within 30 s and the retry (on any worker) starts the report again.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});

const { enrichDmarcSources } = proxyActivities<DmarcReportIngestActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

const { markDmarcUploadFailed } = proxyActivities<DmarcReportIngestActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 20 },
});

/**
 * One upload (API, mailbox message or bucket object) → its reports stored once each → their
 * source addresses enriched. Enrichment failing never undoes the ingest.
 */
export async function dmarcReportIngest(
  input: DmarcReportIngestInput,
): Promise<DmarcReportIngestOutcome> {
  let outcome: DmarcReportIngestOutcome;
  try {
    outcome = await ingestDmarcUpload(input);
  } catch (err) {
    const message = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    await markDmarcUploadFailed({ uploadId: input.uploadId, error: message });
    throw err;
  }
  if (outcome.newReportIds.length > 0) {
    try {
      await enrichDmarcSources({ reportIds: outcome.newReportIds });
    } catch (err) {
      log.warn('enrichment failed; the next ingest or refresh retries it', { error: String(err) });
    }
  }
  return outcome;
}
