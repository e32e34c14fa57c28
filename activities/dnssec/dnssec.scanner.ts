import type * as dnsPacket from 'dns-packet';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import {
  DNSKEY_SECURE_ENTRY_POINT,
  DNSSEC_ALGORITHMS,
  DS_DIGEST_TYPES,
  keyTag,
  matchDs,
} from './dnssec-keys';
import { parseServerAddress, rawQuery, type DnsServerAddress, type RawResponse } from './raw-dns';

export interface DnssecKeyInfo {
  flags: number;
  algorithm: number;
  algorithmName: string;
  keyTag: number;
  /** SEP flag: by convention a key-signing key, the one a DS points at. */
  secureEntryPoint: boolean;
}

export interface DnssecDsInfo {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digestTypeName: string;
  /** Lowercase hex. */
  digest: string;
  /** Whether it is the digest of a published DNSKEY; null when the DNSKEYs are unknown. */
  matches: 'match' | 'no-match' | 'unverifiable' | null;
}

export interface DnssecData {
  /** The zone the domain lives in (the SOA owner), whose DNSKEY and DS were asked for. */
  zone: string | null;
  /** The resolver asked, as `host:port`. */
  resolver: string | null;
  /**
   * `secure`: validated (AD); `signed-not-validated`: DNSKEY but no AD; `insecure`: no DNSKEY
   * and no DS; `bogus`: the resolver refused answers it gave with CD; `unknown`: undetermined.
   */
  verdict: 'secure' | 'signed-not-validated' | 'insecure' | 'bogus' | 'unknown';
  /** The AD flag on the answer for the domain's SOA, asked with DO. */
  authenticated: boolean | null;
  bogus: boolean | null;
  dnskeys: DnssecKeyInfo[] | null;
  ds: DnssecDsInfo[] | null;
}

export interface DnssecScanOptions {
  /** Per attempt; default 2000 ms. */
  timeoutMs?: number;
  /** Attempts after the first for a question that got no answer; default 1. */
  retries?: number;
}

type Asked =
  { kind: 'answer'; response: RawResponse; bogus: boolean } | { kind: 'unknown'; code: string };

/**
 * Asks the validating resolver with DO; a SERVFAIL is asked again with CD, and an answer then
 * means validation failed (bogus) rather than that the server is broken.
 */
async function ask(
  server: DnsServerAddress,
  name: string,
  type: dnsPacket.RecordType,
  options: Required<DnssecScanOptions>,
): Promise<Asked> {
  const query = { dnssecOk: true, timeoutMs: options.timeoutMs, retries: options.retries };
  const first = await rawQuery(server, name, type, query);
  if (!first.ok) return { kind: 'unknown', code: first.code };
  const definite = (rcode: string) => rcode === 'NOERROR' || rcode === 'NXDOMAIN';
  if (definite(first.response.rcode)) {
    return { kind: 'answer', response: first.response, bogus: false };
  }
  if (first.response.rcode !== 'SERVFAIL') {
    return { kind: 'unknown', code: `E${first.response.rcode}` };
  }
  const unchecked = await rawQuery(server, name, type, { ...query, checkingDisabled: true });
  if (unchecked.ok && definite(unchecked.response.rcode)) {
    return { kind: 'answer', response: unchecked.response, bogus: true };
  }
  return { kind: 'unknown', code: 'ESERVFAIL' };
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

/** The zone apex: the SOA owner, from the answer or from a negative answer's authority section. */
function zoneApex(response: RawResponse, domain: string): string {
  const soa =
    response.answers.find((a) => a.type === 'SOA') ??
    response.authorities.find((a) => a.type === 'SOA');
  return soa ? soa.name.toLowerCase().replace(/\.$/, '') : domain;
}

/**
 * The verdict and findings from what the resolver said; a finding is only drawn from answers
 * that were determined (null fields are unknown).
 */
export function judgeDnssec(
  data: Pick<DnssecData, 'zone' | 'resolver' | 'authenticated' | 'bogus' | 'dnskeys' | 'ds'>,
): { verdict: DnssecData['verdict']; findings: Finding[] } {
  const { zone, dnskeys, ds } = data;
  const bogus = data.bogus === true;
  const findings: Finding[] = [];
  let verdict: DnssecData['verdict'] = 'unknown';

  if (bogus) {
    findings.push({
      id: 'dnssec.bogus',
      severity: 'fail',
      message: `The validating resolver answers SERVFAIL for ${zone} but gives the data with checking disabled: DNSSEC validation fails, and users behind validating resolvers cannot reach the domain.`,
      evidence: { zone, resolver: data.resolver },
    });
  }
  if (ds !== null && ds.length > 0 && dnskeys !== null && dnskeys.length === 0) {
    findings.push({
      id: 'dnssec.ds-without-dnskey',
      severity: 'fail',
      message: `The parent publishes ${ds.length} DS record(s) for ${zone}, but the zone has no DNSKEY: the chain of trust is broken.`,
      evidence: { zone, ds: ds.map((d) => `${d.keyTag} ${d.algorithm} ${d.digestType}`) },
    });
  }
  const verifiable = ds?.filter((d) => d.matches === 'match' || d.matches === 'no-match') ?? [];
  if (
    dnskeys !== null &&
    dnskeys.length > 0 &&
    verifiable.length > 0 &&
    verifiable.every((d) => d.matches === 'no-match')
  ) {
    findings.push({
      id: 'dnssec.ds-mismatch',
      severity: 'fail',
      message: `None of the DS records for ${zone} (key tags ${verifiable.map((d) => d.keyTag).join(', ')}) is the digest of a DNSKEY it publishes (key tags ${dnskeys.map((k) => k.keyTag).join(', ')}).`,
      evidence: { zone, ds: verifiable, dnskeys },
    });
  }
  if (!bogus) {
    if (data.authenticated) {
      verdict = 'secure';
      findings.push({
        id: 'dnssec.validated',
        severity: 'pass',
        message: `${zone} is signed and the resolver validated its answers (AD flag set).`,
        evidence: { zone, resolver: data.resolver, dnskeys: dnskeys?.length ?? null },
      });
    } else if (dnskeys !== null && dnskeys.length > 0) {
      verdict = 'signed-not-validated';
      const why =
        ds === null
          ? 'Whether the parent holds a DS record could not be determined.'
          : ds.length === 0
            ? 'The parent holds no DS record for it, so no chain of trust leads to its keys.'
            : 'The parent holds a DS record: the resolver asked may not validate.';
      findings.push({
        id: 'dnssec.signed-not-validated',
        severity: 'warning',
        message: `${zone} publishes ${dnskeys.length} DNSKEY record(s), but the resolver did not validate its answers. ${why}`,
        evidence: { zone, resolver: data.resolver, dsCount: ds?.length ?? null },
      });
    } else if (dnskeys !== null && ds !== null && ds.length === 0) {
      verdict = 'insecure';
      findings.push({
        id: 'dnssec.unsigned',
        severity: 'warning',
        message: `${zone} is not signed: it publishes no DNSKEY and its parent no DS.`,
        evidence: { zone },
      });
    }
  } else {
    verdict = 'bogus';
  }

  const weakKeys = dnskeys?.filter((k) => DNSSEC_ALGORITHMS[k.algorithm]?.deprecated) ?? [];
  if (weakKeys.length > 0) {
    findings.push({
      id: 'dnssec.deprecated-algorithm',
      severity: 'warning',
      message: `${zone} is signed with ${[...new Set(weakKeys.map((k) => k.algorithmName))].join(', ')}, which RFC 8624 says not to sign with.`,
      evidence: { zone, keys: weakKeys },
    });
  }
  const weakDs = ds?.filter((d) => DS_DIGEST_TYPES[d.digestType]?.deprecated) ?? [];
  if (weakDs.length > 0) {
    findings.push({
      id: 'dnssec.deprecated-ds-digest',
      severity: 'warning',
      message: `The parent publishes DS record(s) for ${zone} with ${[...new Set(weakDs.map((d) => d.digestTypeName))].join(', ')} digests.`,
      evidence: { zone, ds: weakDs },
    });
  }
  return { verdict, findings };
}

/**
 * Whether the domain's zone is signed and validated, as a validating resolver (the scanners'
 * configured one) reports it, plus its DNSKEY and parent-side DS records.
 */
export async function scanDnssec(
  domain: string,
  ctx: CheckContext,
  opts: DnssecScanOptions = {},
): Promise<CheckReport<DnssecData>> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const options = { timeoutMs: opts.timeoutMs ?? 2000, retries: opts.retries ?? 1 };
  const findings: Finding[] = [];
  const undetermined: CheckReport['undetermined'] = [];
  const data: DnssecData = {
    zone: null,
    resolver: null,
    verdict: 'unknown',
    authenticated: null,
    bogus: null,
    dnskeys: null,
    ds: null,
  };
  const report = (): CheckReport<DnssecData> =>
    checkReport({
      check: 'dnssec',
      domain: name,
      findings,
      data,
      undetermined,
    });

  const serverText = ctx.resolver.getServers()[0];
  const server = serverText === undefined ? undefined : parseServerAddress(serverText);
  if (server === undefined) {
    undetermined.push({ name, type: 'SOA', code: 'ENOSERVER' });
    return report();
  }
  data.resolver = serverText!;

  const soa = await ask(server, name, 'SOA', options);
  if (soa.kind === 'unknown') {
    undetermined.push({ name, type: 'SOA', code: soa.code });
    return report();
  }
  const zone = zoneApex(soa.response, name);
  data.zone = zone;
  const [dnskeyAsked, dsAsked] = await Promise.all([
    ask(server, zone, 'DNSKEY', options),
    ask(server, zone, 'DS', options),
  ]);
  if (dnskeyAsked.kind === 'unknown') {
    undetermined.push({ name: zone, type: 'DNSKEY', code: dnskeyAsked.code });
  }
  if (dsAsked.kind === 'unknown') {
    undetermined.push({ name: zone, type: 'DS', code: dsAsked.code });
  }

  const keyRecords =
    dnskeyAsked.kind === 'answer'
      ? dnskeyAsked.response.answers.filter(
          (a): a is dnsPacket.DnskeyAnswer => a.type === 'DNSKEY' && sameName(a.name, zone),
        )
      : null;
  const keys = keyRecords?.map((a) => ({ ...a.data, key: Buffer.from(a.data.key) })) ?? null;
  data.dnskeys =
    keys?.map((k) => ({
      flags: k.flags,
      algorithm: k.algorithm,
      algorithmName: DNSSEC_ALGORITHMS[k.algorithm]?.name ?? `unassigned (${k.algorithm})`,
      keyTag: keyTag(k),
      secureEntryPoint: (k.flags & DNSKEY_SECURE_ENTRY_POINT) !== 0,
    })) ?? null;
  const dsRecords =
    dsAsked.kind === 'answer'
      ? dsAsked.response.answers.filter(
          (a): a is dnsPacket.DSAnswer => a.type === 'DS' && sameName(a.name, zone),
        )
      : null;
  data.ds =
    dsRecords?.map(({ data: ds }) => ({
      keyTag: ds.keyTag,
      algorithm: ds.algorithm,
      digestType: ds.digestType,
      digestTypeName: DS_DIGEST_TYPES[ds.digestType]?.name ?? `unassigned (${ds.digestType})`,
      digest: Buffer.from(ds.digest).toString('hex'),
      matches:
        keys === null ? null : matchDs(zone, { ...ds, digest: Buffer.from(ds.digest) }, keys),
    })) ?? null;

  data.bogus = [soa, dnskeyAsked, dsAsked].some((a) => a.kind === 'answer' && a.bogus);
  data.authenticated = soa.response.authenticated;
  const judged = judgeDnssec(data);
  data.verdict = judged.verdict;
  findings.push(...judged.findings);
  return report();
}
