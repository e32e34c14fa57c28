import type { CaaRecord } from 'node:dns';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import { lookup, type CheckContext } from '../common/dns-lookup';
import { interpretCaa, type CaaIssueValue, type CaaRecordData } from './caa-record';
import { namesUpToRegistrable } from './public-suffix';

export interface CaaData {
  /** The name whose CAA RRset applies (the domain or its closest ancestor with CAA). */
  effectiveFrom: string | null;
  /** The names asked, closest first, until an RRset was found. */
  checkedNames: string[];
  records: CaaRecordData[];
  /** CAs allowed for non-wildcard names; null when issuance is unrestricted. */
  issuers: string[] | null;
  /** CAs allowed for wildcard names; null when unrestricted. */
  wildcardIssuers: string[] | null;
  iodef: string[];
  issueValues: Array<CaaRecordData & CaaIssueValue>;
}

/** Node gives a CAA record as `{ critical, <tag>: value }`: back to flags, tag and value. */
function fromNode(record: CaaRecord): CaaRecordData {
  const entry = Object.entries(record).find(
    ([key, value]) => key !== 'critical' && key !== 'type' && typeof value === 'string',
  );
  return {
    flags: record.critical,
    tag: (entry?.[0] ?? '').toLowerCase(),
    value: String(entry?.[1] ?? ''),
  };
}

/** The findings for the CAA RRset that applies to `domain`, found at `effectiveFrom`. */
export function caaFindings(
  domain: string,
  effectiveFrom: string,
  records: CaaRecordData[],
): Finding[] {
  const policy = interpretCaa(records);
  const findings: Finding[] = [];
  const where = effectiveFrom === domain ? domain : `${effectiveFrom} (inherited by ${domain})`;
  if (effectiveFrom !== domain) {
    findings.push({
      id: 'caa.inherited',
      severity: 'info',
      message: `${domain} has no CAA records; the policy of ${effectiveFrom} applies.`,
      evidence: { effectiveFrom },
    });
  }
  for (const r of policy.criticalUnknown) {
    findings.push({
      id: 'caa.critical-unknown-tag',
      severity: 'fail',
      message: `CAA at ${where} has a critical property with unknown tag '${r.tag}': CAs must refuse to issue any certificate.`,
      evidence: { record: r },
    });
  }
  for (const r of policy.unknownTags) {
    findings.push({
      id: 'caa.unknown-tag',
      severity: 'info',
      message: `CAA at ${where} has a property with unknown tag '${r.tag}', which CAs ignore.`,
      evidence: { record: r },
    });
  }
  for (const r of policy.invalidIssueValues) {
    findings.push({
      id: 'caa.invalid-issue-value',
      severity: 'warning',
      message: `CAA ${r.tag} value "${r.value}" at ${where} is malformed: CAs read it as naming no CA.`,
      evidence: { record: r },
    });
  }
  for (const value of policy.invalidIodef) {
    findings.push({
      id: 'caa.invalid-iodef',
      severity: 'warning',
      message: `CAA iodef "${value}" at ${where} is not a mailto:, http: or https: URL.`,
      evidence: { iodef: value },
    });
  }
  if (!policy.issueRestricted) {
    findings.push({
      id: 'caa.issue-unrestricted',
      severity: 'warning',
      message: `CAA at ${where} has no issue property: any CA may issue non-wildcard certificates.`,
      evidence: { records },
    });
  } else if (policy.criticalUnknown.length === 0) {
    if (policy.issuers.length === 0 && policy.wildcardIssuers.length === 0) {
      findings.push({
        id: 'caa.deny-all',
        severity: 'info',
        message: `CAA at ${where} allows no CA to issue certificates.`,
        evidence: { records },
      });
    } else {
      const wildcard =
        policy.wildcardIssuers.length === 0
          ? 'no CA for wildcards'
          : `${policy.wildcardIssuers.join(', ')} for wildcards`;
      const issuers = policy.issuers.length === 0 ? 'no CA' : policy.issuers.join(', ');
      findings.push({
        id: 'caa.restricted',
        severity: 'pass',
        message: `CAA at ${where} allows ${issuers} to issue (${wildcard})${policy.iodef.length > 0 ? `, reports to ${policy.iodef.join(', ')}` : ''}.`,
        evidence: { issuers: policy.issuers, wildcardIssuers: policy.wildcardIssuers },
      });
    }
  }
  return findings;
}

/**
 * The CAA policy that applies to `domain`: its own CAA RRset, or its closest ancestor's (RFC 8659
 * §3), climbing up to the registrable domain; public suffixes are not asked.
 */
export async function scanCaa(domain: string, ctx: CheckContext): Promise<CheckReport<CaaData>> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const data: CaaData = {
    effectiveFrom: null,
    checkedNames: [],
    records: [],
    issuers: null,
    wildcardIssuers: null,
    iodef: [],
    issueValues: [],
  };
  const findings: Finding[] = [];
  const undetermined: CheckReport['undetermined'] = [];

  for (const candidate of namesUpToRegistrable(name, ctx.extraPublicSuffixes)) {
    data.checkedNames.push(candidate);
    const caa = await lookup(() => ctx.resolver.resolveCaa(candidate));
    if (caa.status === 'unknown') {
      // The climb cannot go past a name whose answer is unknown: it may hold the policy.
      undetermined.push({ name: candidate, type: 'CAA', code: caa.error?.code ?? 'EUNKNOWN' });
      break;
    }
    if (caa.status !== 'ok') continue;
    data.effectiveFrom = candidate;
    data.records = caa.records.map(fromNode);
    break;
  }

  if (data.effectiveFrom !== null) {
    const policy = interpretCaa(data.records);
    data.issuers = policy.issueRestricted ? policy.issuers : null;
    data.wildcardIssuers = policy.wildcardRestricted ? policy.wildcardIssuers : null;
    data.iodef = policy.iodef;
    data.issueValues = policy.issueValues;
    findings.push(...caaFindings(name, data.effectiveFrom, data.records));
  } else if (undetermined.length === 0) {
    findings.push({
      id: 'caa.missing',
      severity: 'info',
      message: `Neither ${name} nor its parent domains publish CAA: any CA may issue certificates for it.`,
      evidence: { checkedNames: data.checkedNames },
    });
  }

  return checkReport({
    check: 'caa',
    domain: name,
    findings,
    data,
    undetermined,
  });
}
