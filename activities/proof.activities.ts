import { ApplicationFailure, log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { ProofActivities } from '../libs/contracts';
import { scanResultsAwaitingTimestamp, type ProofSubject } from '../libs/db/proof.repository';
import { timestampResult, TsaUnavailable, type LoadedTsa } from '../libs/proof';

export interface ProofActivityDeps {
  dataSource: DataSource;
  /** The configured TSAs with their roots, in the order they are asked. */
  tsas: LoadedTsa[];
  timeoutMs: number;
  /** Called after each token is stored (publishes it to subscribers). */
  onStamped?: (subject: ProofSubject) => Promise<void>;
}

export function createProofActivities(deps: ProofActivityDeps): ProofActivities {
  return {
    async timestampResults({ scanId, probeResultIds }) {
      if (deps.tsas.length === 0) {
        log.warn('no TSA with trust roots is configured: results stay not yet time-stamped');
        return { stamped: 0, disabled: true };
      }
      const subjects: ProofSubject[] = [
        ...(scanId ? await scanResultsAwaitingTimestamp(deps.dataSource, scanId) : []).map(
          (id) => ({ kind: 'scan-result' as const, id }),
        ),
        ...(probeResultIds ?? []).map((id) => ({ kind: 'probe-result' as const, id })),
      ];
      let stamped = 0;
      const problems: string[] = [];
      for (const subject of subjects) {
        try {
          const outcome = await timestampResult(
            deps.dataSource,
            subject,
            deps.tsas,
            deps.timeoutMs,
          );
          if (outcome.stamped) {
            stamped++;
            // Telling subscribers is best effort: the token is stored either way.
            await deps
              .onStamped?.(subject)
              .catch((err: Error) =>
                log.warn('could not publish a time-stamp event', { error: err.message }),
              );
          }
        } catch (err) {
          if (!(err instanceof TsaUnavailable)) throw err;
          problems.push(err.message);
        }
      }
      // Tokens already stored stay stored; the retry asks only for what is missing.
      if (problems.length) {
        throw ApplicationFailure.retryable(
          `${problems.length} result(s) not yet time-stamped: ${problems[0]}`,
          'TsaUnavailable',
        );
      }
      return { stamped, disabled: false };
    },
  };
}
