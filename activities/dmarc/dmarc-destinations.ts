import type { promises as dns } from 'node:dns';
import { lookup, lookupTxt, type LookupResult } from '../common/dns-lookup';
import { looksLikeDmarcRecord, type ParsedDmarcRecord } from './dmarc-record';
import { isAtOrBelow, organisationalDomain } from './organisational-domain';

/** Called with every lookup; records the ones whose answer could not be determined. */
export type NoteUnknown = (name: string, type: string, result: LookupResult<unknown>) => void;

export interface DmarcDestination {
  tag: 'rua' | 'ruf';
  uri: string;
  address: string;
  domain: string;
  /** The destination's organisational domain differs from the policy domain's. */
  external: boolean;
  /** RFC 9990 / RFC 7489 §7.1 check, for external destinations only. */
  authorisation?: {
    name: string;
    status: 'authorised' | 'unauthorised' | 'unknown';
    /** `wildcard` when `*._report._dmarc.<destination>` publishes the same record. */
    via?: 'explicit' | 'wildcard';
    records: string[];
  };
  mail: {
    status: 'mx' | 'implicit-mx' | 'null-mx' | 'none' | 'unknown';
    hosts: string[];
  };
}

/** The record's mailto: destinations: does each domain take mail, and authorise external reports? */
export async function checkDestinations(
  policyDomain: string,
  record: ParsedDmarcRecord,
  resolver: dns.Resolver,
  extraPublicSuffixes: readonly string[],
  unknown: NoteUnknown,
): Promise<DmarcDestination[]> {
  const policyOrg = organisationalDomain(policyDomain, extraPublicSuffixes) ?? policyDomain;
  const entries = (['rua', 'ruf'] as const).flatMap((tag) =>
    record.effective[tag]
      .filter((u) => u.usable)
      .map((u) => ({ tag, uri: u.uri, address: u.address!, domain: u.domain! })),
  );
  const domains = [...new Set(entries.map((e) => e.domain))];
  const isExternal = (d: string) =>
    !isAtOrBelow(d, policyOrg) && (organisationalDomain(d, extraPublicSuffixes) ?? d) !== policyOrg;

  const checks = new Map(
    await Promise.all(
      domains.map(
        async (d) =>
          [
            d,
            await Promise.all([
              isExternal(d) ? authorise(resolver, policyDomain, d, unknown) : undefined,
              mailStatus(resolver, d, unknown),
            ]),
          ] as const,
      ),
    ),
  );
  return entries.map((e) => {
    const [authorisation, mail] = checks.get(e.domain)!;
    return {
      ...e,
      external: authorisation !== undefined,
      ...(authorisation && { authorisation }),
      mail,
    };
  });
}

/** RFC 9990 / RFC 7489 §7.1: the destination agrees to receive the policy domain's reports. */
async function authorise(
  resolver: dns.Resolver,
  policyDomain: string,
  destination: string,
  unknown: NoteUnknown,
): Promise<NonNullable<DmarcDestination['authorisation']>> {
  const name = `${policyDomain}._report._dmarc.${destination}`;
  const exact = await lookupTxt(resolver, name);
  unknown(name, 'TXT', exact);
  const records = exact.records.map((r) => r.value).filter(looksLikeDmarcRecord);
  if (exact.status === 'unknown') return { name, status: 'unknown', records: [] };
  if (records.length === 0) return { name, status: 'unauthorised', records };
  // Only to tell how it was authorised: receivers ask the exact name, which a wildcard answers.
  const wildcard = await lookupTxt(resolver, `*._report._dmarc.${destination}`);
  const wildcardRecords = wildcard.records.map((r) => r.value).filter(looksLikeDmarcRecord);
  const via =
    wildcard.status === 'unknown'
      ? undefined
      : records.every((r) => wildcardRecords.includes(r))
        ? ('wildcard' as const)
        : ('explicit' as const);
  return { name, status: 'authorised', ...(via && { via }), records };
}

/** Whether a destination domain receives mail: MX, else an address (RFC 5321 §5.1 implicit MX). */
async function mailStatus(
  resolver: dns.Resolver,
  domain: string,
  unknown: NoteUnknown,
): Promise<DmarcDestination['mail']> {
  const mx = await lookup(() => resolver.resolveMx(domain));
  unknown(domain, 'MX', mx);
  if (mx.status === 'unknown') return { status: 'unknown', hosts: [] };
  if (mx.status === 'ok') {
    const hosts = mx.records.map((r) => r.exchange).filter((h) => h !== '' && h !== '.');
    // RFC 7505: a single "MX 0 ." says the domain accepts no mail.
    return hosts.length > 0 ? { status: 'mx', hosts } : { status: 'null-mx', hosts: [] };
  }
  if (mx.status === 'nxdomain') return { status: 'none', hosts: [] };
  const [a, aaaa] = await Promise.all([
    lookup(() => resolver.resolve4(domain)),
    lookup(() => resolver.resolve6(domain)),
  ]);
  if (a.status === 'ok' || aaaa.status === 'ok') {
    return { status: 'implicit-mx', hosts: [domain] };
  }
  unknown(domain, 'A', a);
  unknown(domain, 'AAAA', aaaa);
  return a.status === 'unknown' || aaaa.status === 'unknown'
    ? { status: 'unknown', hosts: [] }
    : { status: 'none', hosts: [] };
}
