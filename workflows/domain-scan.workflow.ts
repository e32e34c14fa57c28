import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import {
  domainScanProgressQuery,
  postureCheckActivity,
  SCANNER_MAX_ATTEMPTS,
  type PostureCheck,
  type DomainScanActivities,
  type DomainScanInput,
  type DomainScanner,
  type DomainScanProgress,
  type GuidanceActivities,
  type ScannerSummary,
  timestampScanWorkflowId,
} from '../libs/contracts';
import { timestampResults } from './timestamp-results.workflow';

const bookkeeping = proxyActivities<DomainScanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** Each scanner's own timeout and retry policy. */
function scannerProxy(startToCloseTimeout: Duration) {
  return proxyActivities<DomainScanActivities>({
    startToCloseTimeout,
    // Scanners heartbeat every 2 s: a lost worker's task is retried elsewhere within seconds.
    heartbeatTimeout: '10 seconds',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumAttempts: SCANNER_MAX_ATTEMPTS,
      nonRetryableErrorTypes: ['InvalidDomainName', 'TargetNotAllowed'],
    },
  });
}

const quick = scannerProxy('1 minute');
const recursive = scannerProxy('2 minutes'); // follows includes, trees and destinations
const dkim = scannerProxy('3 minutes'); // dozens of selectors
const web = scannerProxy('3 minutes'); // four endpoints, each up to ten redirects
const transport = scannerProxy('5 minutes'); // dozens of bounded TLS handshakes per host

type ScannerCall = (input: DomainScanInput) => Promise<ScannerSummary>;
const check =
  (proxy: DomainScanActivities, name: (typeof postureCheckActivity)[PostureCheck]): ScannerCall =>
  ({ scanId, domain, dkimSelectors }) =>
    proxy[name]({ scanId, domain, dkimSelectors });

const scannerActivities: Record<DomainScanner, ScannerCall> = {
  dns: ({ scanId, domain }) => recursive.dnsInventory({ scanId, domain }),
  dmarc: check(recursive, postureCheckActivity.dmarc),
  spf: check(recursive, postureCheckActivity.spf),
  dkim: check(dkim, postureCheckActivity.dkim),
  mx: check(quick, postureCheckActivity.mx),
  'mta-sts': check(recursive, postureCheckActivity['mta-sts']), // DNS, then an HTTPS fetch
  'tls-rpt': check(quick, postureCheckActivity['tls-rpt']),
  bimi: check(quick, postureCheckActivity.bimi),
  dnssec: check(quick, postureCheckActivity.dnssec),
  caa: check(recursive, postureCheckActivity.caa),
  web: check(web, postureCheckActivity.web),
  tls: check(transport, postureCheckActivity.tls),
  smtp: check(transport, postureCheckActivity.smtp),
};

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** One domain scan: every scanner runs as its own activity; progress is answerable throughout. */
export async function domainScan(input: DomainScanInput): Promise<DomainScanProgress> {
  const progress: DomainScanProgress = {
    scanId: input.scanId,
    status: 'queued',
    scanners: input.scanners.map((scanner) => ({ scanner, state: 'pending' })),
  };
  setHandler(domainScanProgressQuery, () => progress);

  try {
    await bookkeeping.markScanRunning(input.scanId);
    progress.status = 'running';
    await Promise.all(
      progress.scanners.map(async (entry) => {
        entry.state = 'running';
        try {
          const summary = await scannerActivities[entry.scanner](input);
          entry.state = 'done';
          entry.resultStatus = summary.status;
        } catch (err) {
          if (isCancellation(err)) throw err;
          entry.state = 'failed';
          entry.resultStatus = 'failed';
          entry.error = failureMessage(err);
          log.warn('scanner failed', { scanner: entry.scanner, error: entry.error });
        }
      }),
    );
  } catch (err) {
    if (!isCancellation(err)) throw err;
    progress.status = 'cancelled';
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishScan({ scanId: input.scanId, status: 'cancelled', failures: [] }),
    );
    throw err;
  }

  const failed = progress.scanners.filter((s) => s.state === 'failed');
  const status = failed.length === progress.scanners.length ? 'failed' : 'completed';
  if (patched('guidance-step')) {
    // Guidance tags and compliance from the stored results, before the scan reads as finished.
    // A failure here never fails the scan: the scan can be re-evaluated later.
    await proxyActivities<GuidanceActivities>({
      startToCloseTimeout: '1 minute',
      retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ScanNotFound'] },
    })
      .evaluateGuidance({ scanId: input.scanId })
      .catch((err: unknown) => log.warn('guidance step failed', { error: failureMessage(err) }));
  }
  await bookkeeping.finishScan({
    scanId: input.scanId,
    status,
    error: status === 'failed' ? 'every scanner failed' : undefined,
    failures: failed.map((s) => ({ scanner: s.scanner, error: s.error ?? 'failed' })),
  });
  progress.status = status;
  // Proof of scan: the stored results are time-stamped by a workflow of their own, abandoned on
  // purpose, so a TSA that is down is retried without holding the scan open.
  if (patched('timestamp-results')) {
    await startChild(timestampResults, {
      workflowId: timestampScanWorkflowId(input.scanId),
      args: [{ scanId: input.scanId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }
  return progress;
}
