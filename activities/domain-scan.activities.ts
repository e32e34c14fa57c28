import type { promises as dns } from 'node:dns';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import {
  SCANNER_MAX_ATTEMPTS,
  type DomainScanActivities,
  type PostureCheck,
  type PostureCheckInput,
  type ScannerSummary,
} from '../libs/contracts';
import {
  finishScan,
  markScannerRunning,
  markScanRunning,
  previousResultData,
  upsertScanResult,
} from '../libs/db/scans.repository';
import type { CheckReport } from './common/check-report';
import { withIdChange } from './mta-sts/mta-sts-history';
import type { MtaStsData } from './mta-sts/mta-sts.scanner';
import { scanDnsInventory } from './dns/dns-inventory.scanner';
import type { CheckContext } from './common/dns-lookup';
import type { HttpsFetchOptions } from './common/https-fetch';
import type { TlsScanOptions } from './tls/tls-evaluation';
import { withHeartbeats } from './heartbeat';
import { postureChecks } from './posture-checks';

export interface DomainScanActivityDeps {
  dataSource: DataSource;
  /** The scanners' resolver: configuration, never the operating system's lookup. */
  resolver: dns.Resolver;
  allowPrivateTargets: boolean;
  extraPublicSuffixes?: string[];
  /** HTTPS fetch settings (MTA-STS policies, BIMI files); the lab sets its port and CA. */
  https?: HttpsFetchOptions;
  /** TLS and SMTP STARTTLS scan settings (ports, timeouts, concurrency, profile). */
  tls?: TlsScanOptions;
}

/** `undetermined` entries that are connections (web, TLS, SMTP), not DNS lookups. */
const TRANSPORT_TYPES = new Set(['HTTP', 'HTTPS', 'TLS', 'SMTP', 'STARTTLS']);

/** Activities get their dependencies from the worker (or a test), never from globals. */
export function createDomainScanActivities(deps: DomainScanActivityDeps): DomainScanActivities {
  const { dataSource } = deps;
  const ctx: CheckContext = {
    resolver: deps.resolver,
    allowPrivateTargets: deps.allowPrivateTargets,
    extraPublicSuffixes: deps.extraPublicSuffixes ?? [],
    https: deps.https,
    tls: deps.tls,
  };

  /** Runs one posture check; asks again while DNS answers stay indeterminate and attempts remain. */
  async function runCheck(check: PostureCheck, input: PostureCheckInput): Promise<ScannerSummary> {
    const { attempt } = Context.current().info;
    const startedAt = new Date();
    await markScannerRunning(dataSource, input.scanId, check, attempt);
    // The TLS and SMTP scanners stop starting handshakes once the activity is cancelled.
    const checkCtx = { ...ctx, tls: { ...ctx.tls, signal: Context.current().cancellationSignal } };
    let report = await withHeartbeats(() =>
      postureChecks[check](input.domain, checkCtx, { dkimSelectors: input.dkimSelectors }),
    );
    if (check === 'mta-sts' && report.status === 'completed') {
      const previous = await previousResultData(dataSource, input.scanId, 'mta-sts');
      const previousId = (previous?.data as { id?: string } | undefined)?.id;
      report = withIdChange(report as CheckReport<MtaStsData>, previousId);
    }
    if (report.status === 'unknown' && attempt < SCANNER_MAX_ATTEMPTS) {
      const what = report.undetermined.map((u) => `${u.type} ${u.name}: ${u.code}`).slice(0, 5);
      // The mail and DNS checks are undetermined by DNS; web, TLS and SMTP by connections too.
      const dnsOnly = report.undetermined.every((u) => !TRANSPORT_TYPES.has(u.type));
      throw ApplicationFailure.retryable(
        `${check}: ${dnsOnly ? 'DNS answers' : 'answers'} incomplete for ${input.domain} (${what.join(', ')})`,
        dnsOnly ? 'DnsAnswersIncomplete' : 'AnswersIncomplete',
      );
    }
    const status = report.status === 'unknown' ? 'unknown' : 'completed';
    const resultId = await upsertScanResult(dataSource, {
      scanId: input.scanId,
      scanner: check,
      status,
      data: report as unknown as Record<string, unknown>,
      error: null,
      attempt,
      startedAt,
      finishedAt: new Date(),
    });
    return { scanner: check, status, resultId };
  }

  return {
    checkDmarc: (input) => runCheck('dmarc', input),
    checkSpf: (input) => runCheck('spf', input),
    checkDkim: (input) => runCheck('dkim', input),
    checkMx: (input) => runCheck('mx', input),
    checkMtaSts: (input) => runCheck('mta-sts', input),
    checkTlsRpt: (input) => runCheck('tls-rpt', input),
    checkBimi: (input) => runCheck('bimi', input),
    checkDnssec: (input) => runCheck('dnssec', input),
    checkTls: (input) => runCheck('tls', input),
    checkSmtp: (input) => runCheck('smtp', input),
    checkCaa: (input) => runCheck('caa', input),
    checkWeb: (input) => runCheck('web', input),

    async markScanRunning(scanId) {
      await markScanRunning(dataSource, scanId);
    },

    async dnsInventory({ scanId, domain }) {
      const { attempt } = Context.current().info;
      const startedAt = new Date();
      await markScannerRunning(dataSource, scanId, 'dns', attempt);
      const inventory = await withHeartbeats(() =>
        scanDnsInventory(domain, deps.resolver, { allowPrivateTargets: deps.allowPrivateTargets }),
      );
      if (!inventory.complete && attempt < SCANNER_MAX_ATTEMPTS) {
        // A timeout is "could not determine", worth asking again before recording it as such.
        const unknown = Object.entries(inventory.records)
          .filter(([, set]) => set.status === 'unknown')
          .map(([type, set]) => `${type}: ${set.error?.code}`);
        throw ApplicationFailure.retryable(
          `DNS answers incomplete for ${domain} (${unknown.join(', ')})`,
          'DnsAnswersIncomplete',
        );
      }
      const status = inventory.complete ? 'completed' : 'unknown';
      const resultId = await upsertScanResult(dataSource, {
        scanId,
        scanner: 'dns',
        status,
        data: inventory as unknown as Record<string, unknown>,
        error: null,
        attempt,
        startedAt,
        finishedAt: new Date(),
      });
      return { scanner: 'dns', status, resultId };
    },

    async finishScan({ scanId, status, error, failures }) {
      const now = new Date();
      for (const f of failures) {
        await upsertScanResult(dataSource, {
          scanId,
          scanner: f.scanner,
          status: 'failed',
          data: null,
          error: f.error,
          attempt: SCANNER_MAX_ATTEMPTS,
          startedAt: now,
          finishedAt: now,
        });
      }
      await finishScan(dataSource, scanId, status, error ?? null);
    },
  };
}
