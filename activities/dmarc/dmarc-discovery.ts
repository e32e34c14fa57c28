// Written here rather than taken from mailauth: its DMARC lookup cannot tell a timeout from a
// missing record, and a posture scan must say which names it asked and what each held.
import type { promises as dns } from 'node:dns';
import { lookup, lookupTxt, type LookupResult, type LookupStatus } from '../common/dns-lookup';
import { looksLikeDmarcRecord, parseDmarcRecord, type ParsedDmarcRecord } from './dmarc-record';
import { organisationalDomain, treeWalkNames } from './organisational-domain';

/** Where the policy came from (`organisational`: the PSL's; `tree-walk`: only RFC 9989 finds it). */
export type DmarcPolicySource = 'exact' | 'organisational' | 'tree-walk' | 'public-suffix';

/** One `_dmarc` name the tree walk asked about. */
export interface DmarcDiscoveryStep {
  domain: string;
  /** `_dmarc.<domain>` */
  name: string;
  status: LookupStatus;
  /** Every TXT value at the name, strings joined. */
  txt: string[];
  /** The TXT values that are DMARC records (they start with v=DMARC1). */
  dmarcRecords: string[];
  /** Set when the name is a CNAME. */
  cname?: { target: string; targetResolves: boolean };
  /** The psd tag of the name's single DMARC record. */
  psd?: 'y' | 'n' | 'u';
}

/** A step with the raw lookups behind it. */
export interface DiscoveredName {
  step: DmarcDiscoveryStep;
  txt: LookupResult<{ value: string; strings: string[] }>;
  cname: LookupResult<string>;
  /** Set when the name holds exactly one DMARC record. */
  parsed?: ParsedDmarcRecord;
}

export interface DmarcDiscovery {
  domain: string;
  /** RFC 7489 §3.2; undefined when the domain is itself a public suffix. */
  organisationalDomain?: string;
  /** RFC 9989 §4.10; undefined when an unknown answer leaves it open. */
  treeWalkOrganisationalDomain?: string;
  /** Every name asked, in walk order, including any past the point where the walk stopped. */
  asked: DiscoveredName[];
  /** The names the walk went through, the domain's own first. */
  walked: DiscoveredName[];
  /** Walked names holding exactly one valid DMARC record, longest first. */
  found: DiscoveredName[];
  /** A record marked psd=y above the domain. */
  publicSuffixRecord?: DiscoveredName;
  /** False when an unknown answer leaves open which policy applies. */
  policyKnown: boolean;
  applied?: { at: DiscoveredName; source: DmarcPolicySource };
}

/** RFC 9989 §4.10 policy discovery and organisational domain, walking up to the PSL's. */
export async function discoverDmarc(
  domain: string,
  resolver: dns.Resolver,
  extraPublicSuffixes: readonly string[],
): Promise<DmarcDiscovery> {
  const orgDomain = organisationalDomain(domain, extraPublicSuffixes);
  // All names at once: at most eight small queries; the walk's order is applied afterwards.
  const asked = await Promise.all(
    treeWalkNames(domain, orgDomain).map((d) => askName(resolver, d)),
  );

  const walked: DiscoveredName[] = [];
  for (const f of asked) {
    walked.push(f);
    // A single record with psd=y or psd=n stops the walk.
    if (f.parsed?.isDmarc && (f.step.psd === 'y' || f.step.psd === 'n')) break;
  }
  const exact = walked[0]!;
  const complete = walked.every((f) => f.txt.status !== 'unknown');
  const found = walked.filter((f) => f.parsed?.isDmarc);
  const publicSuffixRecord = found.find((f) => f.step.psd === 'y' && f !== exact);
  const treeWalkOrg = complete ? selectOrganisationalDomain(domain, found, exact) : undefined;

  const discovery: DmarcDiscovery = {
    domain,
    organisationalDomain: orgDomain,
    treeWalkOrganisationalDomain: treeWalkOrg,
    asked,
    walked,
    found,
    publicSuffixRecord,
    // The domain's own record settles the policy whatever its parents answer.
    policyKnown: exact.txt.status !== 'unknown' && (exact.parsed?.isDmarc === true || complete),
  };
  if (exact.parsed?.isDmarc) {
    discovery.applied = { at: exact, source: 'exact' };
  } else if (discovery.policyKnown && treeWalkOrg !== undefined) {
    // Policy comes from the domain, its organisational domain or its public suffix domain only.
    const atOrg = found.find((f) => f.step.domain === treeWalkOrg && treeWalkOrg !== domain);
    if (atOrg) {
      const source = treeWalkOrg === orgDomain ? 'organisational' : 'tree-walk';
      discovery.applied = { at: atOrg, source };
    } else if (publicSuffixRecord) {
      discovery.applied = { at: publicSuffixRecord, source: 'public-suffix' };
    }
  }
  return discovery;
}

async function askName(resolver: dns.Resolver, domain: string): Promise<DiscoveredName> {
  const name = `_dmarc.${domain}`;
  // The lab and real resolvers chase CNAMEs for TXT; only a CNAME query shows the alias.
  const [txt, cname] = await Promise.all([
    lookupTxt(resolver, name),
    lookup(() => resolver.resolveCname(name)),
  ]);
  const values = txt.records.map((r) => r.value);
  const dmarcRecords = values.filter(looksLikeDmarcRecord);
  const step: DmarcDiscoveryStep = { domain, name, status: txt.status, txt: values, dmarcRecords };
  if (cname.status === 'ok') {
    step.cname = { target: cname.records[0]!, targetResolves: txt.status === 'ok' };
  }
  const asked: DiscoveredName = { step, txt, cname };
  // Several records at one name are all discarded (RFC 9989 §4.10), so only one is parsed.
  if (dmarcRecords.length === 1) {
    asked.parsed = parseDmarcRecord(dmarcRecords[0]!);
    if (asked.parsed.isDmarc) step.psd = asked.parsed.effective.psd;
  }
  return asked;
}

/** RFC 9989 §4.10 organisational domain selection, over the records the walk retrieved. */
function selectOrganisationalDomain(
  domain: string,
  found: DiscoveredName[],
  start: DiscoveredName,
): string {
  for (const f of found) {
    if (f.step.psd === 'n') return f.step.domain;
    if (f.step.psd === 'y' && f !== start) {
      const labels = f.step.domain.split('.').length + 1;
      return domain.split('.').slice(-labels).join('.');
    }
  }
  return found.at(-1)?.step.domain ?? domain;
}
