import type { CaaRecord, promises as dns } from 'node:dns';
import { TargetNotAllowed } from '../../libs/net/errors';
import { lookup, type LookupResult, type LookupStatus } from '../common/dns-lookup';
import { filterTargetAddresses } from '../../libs/net/target-guard';

export const DnsRecordTypes = ['A', 'AAAA', 'NS', 'MX', 'TXT', 'CAA', 'SOA'] as const;
export type DnsRecordType = (typeof DnsRecordTypes)[number];

export type RecordSetStatus = LookupStatus;
export type RecordSet<T> = LookupResult<T>;

export interface DnsInventory {
  domain: string;
  /** The servers asked, as `host:port`. */
  resolvers: string[];
  /** Whether the name exists; null when every answer was `unknown`. */
  exists: boolean | null;
  /** True when every record type got a definite answer. */
  complete: boolean;
  records: {
    A: RecordSet<{ address: string; ttl: number }>;
    AAAA: RecordSet<{ address: string; ttl: number }>;
    NS: RecordSet<string>;
    MX: RecordSet<{ exchange: string; priority: number }>;
    TXT: RecordSet<{ value: string; strings: string[] }>;
    CAA: RecordSet<{ critical: number; tag: string; value: string }>;
    SOA: RecordSet<{
      nsname: string;
      hostmaster: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minttl: number;
    }>;
  };
  /** Which of the name's addresses other scanners may connect to (the target guard's verdict). */
  reachability: {
    verdict: 'allowed' | 'refused' | 'unresolvable' | 'unknown';
    allowed: string[];
    refused: Array<{ address: string; range: string }>;
  };
}

function caaTag(r: CaaRecord): { critical: number; tag: string; value: string } {
  const { critical, ...rest } = r;
  const [tag, value] = Object.entries(rest).find(
    ([k, v]) => k !== 'type' && typeof v === 'string',
  ) ?? ['', ''];
  return { critical, tag, value: String(value) };
}

/** Asks the configured resolver for the name's basic records, all types at once. */
export async function scanDnsInventory(
  domain: string,
  resolver: dns.Resolver,
  options: { allowPrivateTargets: boolean },
): Promise<DnsInventory> {
  const [A, AAAA, NS, MX, TXT, CAA, SOA] = await Promise.all([
    lookup(async () =>
      (await resolver.resolve4(domain, { ttl: true })).map(({ address, ttl }) => ({
        address,
        ttl,
      })),
    ),
    lookup(async () =>
      (await resolver.resolve6(domain, { ttl: true })).map(({ address, ttl }) => ({
        address,
        ttl,
      })),
    ),
    lookup(() => resolver.resolveNs(domain)),
    lookup(async () =>
      (await resolver.resolveMx(domain))
        .map(({ exchange, priority }) => ({ exchange, priority }))
        .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange)),
    ),
    lookup(async () =>
      (await resolver.resolveTxt(domain)).map((strings) => ({ value: strings.join(''), strings })),
    ),
    lookup(async () => (await resolver.resolveCaa(domain)).map(caaTag)),
    lookup(async () => {
      const { nsname, hostmaster, serial, refresh, retry, expire, minttl } =
        await resolver.resolveSoa(domain);
      return [{ nsname, hostmaster, serial, refresh, retry, expire, minttl }];
    }),
  ]);
  const records = { A, AAAA, NS, MX, TXT, CAA, SOA };
  const sets = Object.values(records) as RecordSet<unknown>[];
  const complete = sets.every((s) => s.status !== 'unknown');
  const definite = sets.filter((s) => s.status !== 'unknown');
  const exists = definite.length === 0 ? null : definite.some((s) => s.status !== 'nxdomain');

  return {
    domain,
    resolvers: resolver.getServers(),
    exists,
    complete,
    records,
    reachability: reachability(domain, A, AAAA, options),
  };
}

function reachability(
  domain: string,
  a: RecordSet<{ address: string }>,
  aaaa: RecordSet<{ address: string }>,
  options: { allowPrivateTargets: boolean },
): DnsInventory['reachability'] {
  const addresses = [...a.records, ...aaaa.records].map((r) => r.address);
  if (addresses.length === 0) {
    const unknown = a.status === 'unknown' || aaaa.status === 'unknown';
    return { verdict: unknown ? 'unknown' : 'unresolvable', allowed: [], refused: [] };
  }
  try {
    const { allowed, refused } = filterTargetAddresses(domain, addresses, options);
    return { verdict: 'allowed', allowed, refused };
  } catch (err) {
    if (!(err instanceof TargetNotAllowed)) throw err;
    return { verdict: 'refused', allowed: [], refused: err.refused };
  }
}
