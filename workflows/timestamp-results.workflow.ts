import { proxyActivities } from '@temporalio/workflow';
import type {
  ProofActivities,
  TimestampResultsInput,
  TimestampResultsSummary,
} from '../libs/contracts';

// A TSA that is down is asked again with back-off for as long as a month: results wait "not yet
// time-stamped" meanwhile; nothing else waits for them.
const proof = proxyActivities<ProofActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '30 days',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Time-stamps stored results (RFC 3161); started by `domainScan` and by probe submissions. */
export async function timestampResults(
  input: TimestampResultsInput,
): Promise<TimestampResultsSummary> {
  return proof.timestampResults(input);
}
