import type { DomainScanner, PostureCheck } from '../libs/contracts';
import type { CheckReport } from './common/check-report';
import type { CheckContext } from './common/dns-lookup';
import { scanDnsInventory, type DnsInventory } from './dns/dns-inventory.scanner';
import { postureChecks } from './posture-checks';

export interface DomainReport {
  domain: string;
  scannedAt: string;
  checks: Array<
    | { check: 'dns'; status: 'completed' | 'unknown'; findings: []; data: DnsInventory }
    | CheckReport<object>
  >;
}

/** Runs the chosen scanners in-process, all at once: what the CLI prints and the benchmark times. */
export async function runDomainChecks(
  domain: string,
  scanners: readonly DomainScanner[],
  ctx: CheckContext,
  opts: { dkimSelectors?: string[] } = {},
): Promise<DomainReport> {
  const scannedAt = new Date().toISOString();
  const checks = await Promise.all(
    scanners.map(async (scanner) => {
      if (scanner === 'dns') {
        const data = await scanDnsInventory(domain, ctx.resolver, {
          allowPrivateTargets: ctx.allowPrivateTargets,
        });
        return {
          check: 'dns' as const,
          status: data.complete ? ('completed' as const) : ('unknown' as const),
          findings: [] as [],
          data,
        };
      }
      return postureChecks[scanner as PostureCheck](domain, ctx, opts);
    }),
  );
  return { domain, scannedAt, checks };
}
