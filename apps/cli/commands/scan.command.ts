import { runDomainChecks, type DomainReport } from '../../../activities/domain-report';
import type { WebData } from '../../../activities/web/web.scanner';
import { loadConfig } from '../../../libs/config/config';
import { scannerHttpsOptions } from '../../../libs/config/scanner-https';
import { scannerTlsOptions } from '../../../libs/config/scanner-tls';
import { DomainScanners, resolveScanners } from '../../../libs/contracts';
import { InvalidDomainName, validateDomainName } from '../../../libs/domain-name';
import { createScannerResolver } from '../../../libs/net/scanner-resolver';

export interface ScanDomainOptions {
  only?: string;
  dnsServer?: string;
  allowPrivate?: boolean;
  format?: 'json' | 'table';
  dkimSelectors?: string;
}

/** One line per web endpoint: status and where its redirects lead. */
function webEndpointLines(data: WebData): string[] {
  return Object.values(data.endpoints).map((e) => {
    const what = e.live
      ? e.chain.map((h) => `${h.status}${h.location ? ` → ${h.location}` : ''}`).join(' → ')
      : `not live (${e.error?.reason ?? 'unknown'})`;
    const cert = e.tls && !e.tls.authorized ? `  [certificate: ${e.tls.error}]` : '';
    return `  ${e.url.padEnd(40)} ${what}${cert}`;
  });
}

const MARK: Record<string, string> = { pass: 'PASS', info: 'INFO', warning: 'WARN', fail: 'FAIL' };

function table(report: DomainReport): string {
  const lines = [`${report.domain}  (${report.scannedAt})`];
  for (const check of report.checks) {
    lines.push(
      '',
      `${check.check}${check.status === 'unknown' ? '  — could not determine everything' : ''}`,
    );
    for (const f of check.findings)
      lines.push(`  ${MARK[f.severity]}  ${f.id.padEnd(36)} ${f.message}`);
    if (check.check === 'web') lines.push(...webEndpointLines(check.data as WebData));
    if (check.check === 'dns') {
      const records = (
        check.data as { records: Record<string, { status: string; records: unknown[] }> }
      ).records;
      for (const [type, set] of Object.entries(records)) {
        lines.push(
          `  ${type.padEnd(5)} ${set.status === 'ok' ? set.records.map((r) => JSON.stringify(r)).join(' ') : set.status}`,
        );
      }
    }
  }
  return lines.join('\n');
}

/**
 * `perimeter scan domain <name> [--only mail,dns] [--dns-server host:port] [--allow-private]
 * [--format json|table]`: the worker's engines, in-process. Exit 0 whatever the findings; 2 for
 * usage errors; 1 when nothing could be determined at all (the resolver is unusable).
 */
export async function scanDomainCommand(
  input: string,
  opts: ScanDomainOptions = {},
  out = console.log,
): Promise<number> {
  const config = loadConfig();
  let name;
  try {
    name = validateDomainName(input);
  } catch (err) {
    if (err instanceof InvalidDomainName) {
      out(`invalid domain name (${err.reason}): ${err.message}`);
      return 2;
    }
    throw err;
  }
  let scanners;
  try {
    scanners = opts.only
      ? resolveScanners(opts.only.split(',').map((s) => s.trim()))
      : [...DomainScanners];
  } catch (err) {
    out((err as Error).message);
    return 2;
  }
  const resolver = createScannerResolver({
    servers: opts.dnsServer ? opts.dnsServer.split(',') : config.scanners.resolvers,
    timeoutMs: config.scanners.dnsTimeoutMs,
    tries: config.scanners.dnsTries,
  });
  const report = await runDomainChecks(
    name.ascii,
    scanners,
    {
      resolver,
      allowPrivateTargets: opts.allowPrivate ?? config.scanners.allowPrivateTargets,
      extraPublicSuffixes: config.scanners.extraPublicSuffixes,
      https: scannerHttpsOptions(config),
      tls: scannerTlsOptions(config),
    },
    {
      dkimSelectors: opts.dkimSelectors
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
  );
  out(opts.format === 'table' ? table(report) : JSON.stringify(report, null, 2));
  return report.checks.every((c) => c.status === 'unknown') ? 1 : 0;
}
