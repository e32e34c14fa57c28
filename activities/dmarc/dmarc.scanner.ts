import type { promises as dns } from 'node:dns';
import { validateDomainName } from '../../libs/domain-name';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import { lookup, type CheckContext } from '../common/dns-lookup';
import { checkDestinations, type DmarcDestination, type NoteUnknown } from './dmarc-destinations';
import {
  discoverDmarc,
  type DiscoveredName,
  type DmarcDiscovery,
  type DmarcDiscoveryStep,
  type DmarcPolicySource,
} from './dmarc-discovery';
import {
  hasMisplacedVersion,
  isSpfRecord,
  looksLikeDmarcRecord,
  POLICY_STRENGTH,
  REMOVED_DMARC_TAGS,
  type DmarcEffectiveTags,
  type DmarcPolicy,
  type DmarcRecordProblem,
  type DmarcTagName,
  type ParsedDmarcRecord,
} from './dmarc-record';
import { DmarcFindings } from './dmarc.findings';

export type { DmarcDestination } from './dmarc-destinations';
export type { DmarcDiscoveryStep, DmarcPolicySource } from './dmarc-discovery';

export interface DmarcPolicyData {
  source: DmarcPolicySource;
  /** The domain whose record applies. */
  domain: string;
  name: string;
  record: string;
  /** The record is not the domain's own: sp or np applies. */
  inherited: boolean;
  /** Undefined for an inherited policy when the domain's existence could not be determined. */
  domainExists?: boolean;
  /** The tag that gives this domain's policy; undefined when sp and np differ and existence is unknown. */
  appliedTag?: 'p' | 'sp' | 'np';
  /** What receivers apply to failing mail; undefined when they ignore the record. */
  effectivePolicy?: DmarcPolicy;
  policyState: ParsedDmarcRecord['policyState'];
  /** t=y: RFC 9989 receivers apply one level less. */
  testing: boolean;
}

export interface DmarcData {
  domain: string;
  /** RFC 7489 §3.2 (Public Suffix List plus configured suffixes); undefined for a public suffix. */
  organisationalDomain?: string;
  /** RFC 9989 §4.10 (tree walk and psd tags); undefined when an answer it needs is unknown. */
  treeWalkOrganisationalDomain?: string;
  /** Every `_dmarc` name the walk asked about, in order, up to where it stopped. */
  discovery: DmarcDiscoveryStep[];
  /** Every DMARC record seen during discovery, and where. */
  records: Array<{ name: string; record: string }>;
  policy?: DmarcPolicyData;
  /** The analysed record's tags: as written, and with defaults applied. */
  tags?: {
    written: Array<{ name: string; value: string }>;
    effective: DmarcEffectiveTags;
    /** Effective values kept for RFC 7489 receivers; RFC 9989 removed these tags. */
    removedInRfc9989: readonly DmarcTagName[];
  };
  /** The analysed record's problems, as the parser reported them. */
  problems: DmarcRecordProblem[];
  destinations: DmarcDestination[];
}

type Undetermined = CheckReport['undetermined'][number];

/** The DMARC check: discovery (own record, tree walk, organisational domain), record, reporting. */
export async function scanDmarc(
  domain: string,
  ctx: CheckContext,
): Promise<CheckReport<DmarcData>> {
  const name = validateDomainName(domain).ascii;
  const findings: Finding[] = [];
  const undetermined: Undetermined[] = [];
  const add: Add = (id, message, evidence) => findings.push(makeFinding(id, message, evidence));
  const unknown: NoteUnknown = (queryName, type, result) => {
    if (result.status === 'unknown') {
      undetermined.push({ name: queryName, type, code: result.error?.code ?? 'EUNKNOWN' });
    }
  };

  const discovery = await discoverDmarc(name, ctx.resolver, ctx.extraPublicSuffixes);
  const { walked, applied } = discovery;
  for (const f of walked) {
    unknown(f.step.name, 'TXT', f.txt);
    unknown(f.step.name, 'CNAME', f.cname);
  }

  // Hygiene of the names that matter to this domain: its own, the policy's, the organisational.
  const relevant = new Set(
    [
      name,
      applied?.at.step.domain,
      discovery.treeWalkOrganisationalDomain,
      discovery.organisationalDomain,
    ].filter((d) => d !== undefined),
  );
  for (const f of walked) {
    if (relevant.has(f.step.domain) && f.txt.status !== 'unknown') {
      reportNameHygiene(f, applied?.at, add);
    }
  }

  const data: DmarcData = {
    domain: name,
    organisationalDomain: discovery.organisationalDomain,
    treeWalkOrganisationalDomain: discovery.treeWalkOrganisationalDomain,
    discovery: walked.map((f) => f.step),
    records: walked.flatMap((f) =>
      f.step.dmarcRecords.map((record) => ({ name: f.step.name, record })),
    ),
    problems: [],
    destinations: [],
  };

  if (!applied) {
    if (discovery.policyKnown) reportNoPolicy(discovery, relevant, data, add);
    return report(name, findings, data, undetermined);
  }

  const parsed = applied.at.parsed!;
  const policy = await describePolicy(name, applied.at, applied.source, ctx.resolver, unknown);
  data.policy = policy;
  describeRecord(data, parsed);

  add(
    'dmarc.record-found',
    policy.inherited
      ? `No record at _dmarc.${name}; the DMARC record at ${policy.name} applies.`
      : `DMARC record published at ${policy.name}.`,
    { name: policy.name, record: policy.record },
  );
  reportDiscovery(discovery, policy, add);
  reportProblems(applied.at, add);
  reportPolicy(policy, parsed, add);
  reportReporting(parsed, add);

  data.destinations = await checkDestinations(
    policy.domain,
    parsed,
    ctx.resolver,
    ctx.extraPublicSuffixes,
    unknown,
  );
  reportDestinations(data.destinations, add);

  return report(name, findings, data, undetermined);
}

/** No policy applies: say why (a faulty or duplicated record) or that there is none. */
function reportNoPolicy(
  discovery: DmarcDiscovery,
  relevant: Set<string>,
  data: DmarcData,
  add: Add,
): void {
  const { domain, walked, organisationalDomain: orgDomain } = discovery;
  // A faulty record receivers ignore is explained by its own findings, not as "missing".
  const ignored = walked.find(
    (f) => relevant.has(f.step.domain) && f.parsed !== undefined && !f.parsed.isDmarc,
  );
  const explained = walked.some(
    (f) =>
      relevant.has(f.step.domain) &&
      (f.step.dmarcRecords.length > 1 || f.step.txt.some(hasMisplacedVersion)),
  );
  if (ignored) {
    describeRecord(data, ignored.parsed!);
    reportProblems(ignored, add);
  } else if (!explained) {
    add(
      'dmarc.missing',
      orgDomain && orgDomain !== domain
        ? `Neither _dmarc.${domain} nor the organisational domain's _dmarc.${orgDomain} publishes a DMARC record.`
        : `_dmarc.${domain} publishes no DMARC record.`,
      { names: walked.map((f) => f.step.name) },
    );
  }
}

function report(
  domain: string,
  findings: Finding[],
  data: DmarcData,
  undetermined: Undetermined[],
): CheckReport<DmarcData> {
  return checkReport({
    check: 'dmarc',
    domain,
    findings,
    data,
    undetermined,
  });
}

function makeFinding(id: string, message: string, evidence?: Record<string, unknown>): Finding {
  const definition = DmarcFindings[id];
  // A programming error, not a scan result: every id must be in the catalogue.
  if (!definition) throw new Error(`finding id ${id} is not in the DMARC catalogue`);
  return evidence
    ? { id, severity: definition.severity, message, evidence }
    : { id, severity: definition.severity, message };
}

async function describePolicy(
  domain: string,
  applied: DiscoveredName,
  source: DmarcPolicySource,
  resolver: dns.Resolver,
  unknown: NoteUnknown,
): Promise<DmarcPolicyData> {
  const parsed = applied.parsed!;
  const { effective } = parsed;
  const policy: DmarcPolicyData = {
    source,
    domain: applied.step.domain,
    name: applied.step.name,
    record: parsed.record,
    inherited: source !== 'exact',
    policyState: parsed.policyState,
    testing: effective.t === 'y',
  };
  if (!policy.inherited) {
    policy.appliedTag = 'p';
    policy.effectivePolicy = effective.p;
    return policy;
  }
  // RFC 9989: sp for a subdomain that exists, np for one that does not (NXDOMAIN).
  const address = await lookup(() => resolver.resolve4(domain));
  unknown(domain, 'A', address);
  if (address.status !== 'unknown') {
    policy.domainExists = address.status !== 'nxdomain';
    policy.appliedTag = policy.domainExists ? 'sp' : 'np';
    policy.effectivePolicy = policy.domainExists ? effective.sp : effective.np;
  } else if (effective.sp === effective.np) {
    policy.effectivePolicy = effective.sp;
  }
  return policy;
}

function describeRecord(data: DmarcData, parsed: ParsedDmarcRecord): void {
  data.tags = {
    written: parsed.tags,
    effective: parsed.effective,
    removedInRfc9989: REMOVED_DMARC_TAGS,
  };
  data.problems = parsed.problems;
}

type Add = (id: string, message: string, evidence?: Record<string, unknown>) => void;

function reportNameHygiene(f: DiscoveredName, applied: DiscoveredName | undefined, add: Add): void {
  const { step } = f;
  if (step.dmarcRecords.length > 1) {
    const instead =
      applied && applied !== f
        ? `; the record at ${applied.step.name} applies instead`
        : applied
          ? ''
          : '; no DMARC policy applies';
    add(
      'dmarc.multiple-records',
      `${step.name} has ${step.dmarcRecords.length} DMARC records: receivers discard them all${instead}.`,
      { name: step.name, records: step.dmarcRecords },
    );
  }
  for (const value of step.txt.filter(hasMisplacedVersion)) {
    add(
      'dmarc.version-not-first',
      `The TXT record at ${step.name} has v=DMARC1, but not as its first tag: receivers ignore it.`,
      { name: step.name, record: value },
    );
  }
  const spf = step.txt.filter(isSpfRecord);
  if (spf.length > 0) {
    add(
      'dmarc.spf-at-dmarc',
      `${step.name} holds an SPF record; SPF belongs at ${step.domain}, not at _dmarc.`,
      { name: step.name, records: spf },
    );
  }
  const other = step.txt.filter(
    (v) => !looksLikeDmarcRecord(v) && !hasMisplacedVersion(v) && !isSpfRecord(v),
  );
  if (other.length > 0) {
    add(
      'dmarc.non-dmarc-txt',
      `${step.name} holds ${other.length} TXT record${other.length > 1 ? 's' : ''} that ${other.length > 1 ? 'are' : 'is'} not DMARC.`,
      { name: step.name, records: other },
    );
  }
  if (step.cname) {
    add(
      'dmarc.cname',
      step.cname.targetResolves
        ? `${step.name} is a CNAME to ${step.cname.target}, which publishes ${cnameTargetHolds(step.dmarcRecords.length)}.`
        : `${step.name} is a CNAME to ${step.cname.target}, which publishes no TXT record.`,
      { name: step.name, target: step.cname.target, targetResolves: step.cname.targetResolves },
    );
  }
}

function cnameTargetHolds(records: number): string {
  return records === 0
    ? 'no DMARC record'
    : records === 1
      ? 'a DMARC record'
      : `${records} DMARC records`;
}

function reportDiscovery(discovery: DmarcDiscovery, policy: DmarcPolicyData, add: Add): void {
  const { domain, found, asked, publicSuffixRecord } = discovery;
  const treeWalkOrg = discovery.treeWalkOrganisationalDomain;
  const orgDomain = discovery.organisationalDomain;
  const exact = discovery.walked[0]!;
  if (policy.source === 'public-suffix') {
    add(
      'dmarc.psd-policy',
      treeWalkOrg === domain
        ? `${domain} is an organisational domain under a public suffix domain and publishes no DMARC record; the policy comes from ${policy.name}, marked psd=y.`
        : `Neither ${domain} nor its organisational domain ${treeWalkOrg} publishes a DMARC record; the policy comes from ${policy.name}, marked psd=y.`,
      { name: policy.name, record: policy.record, organisationalDomain: treeWalkOrg },
    );
  } else if (policy.inherited) {
    const tag = policy.appliedTag ?? 'sp/np';
    add(
      'dmarc.policy-inherited',
      `${domain} has no DMARC record of its own; it inherits ${policy.name} (${policy.source === 'organisational' ? 'organisational domain' : 'found by the RFC 9989 tree walk'}), whose ${tag} policy applies to it.`,
      {
        name: policy.name,
        source: policy.source,
        appliedTag: policy.appliedTag,
        domainExists: policy.domainExists,
      },
    );
  }
  if (exact.step.psd === 'y' && policy.source === 'exact') {
    add(
      'dmarc.psd-declared',
      `The record at ${exact.step.name} has psd=y: receivers treat ${domain} as a public suffix domain.`,
      { name: exact.step.name, record: policy.record },
    );
  }
  for (const f of found) {
    const domainOfRecord = f.step.domain;
    if (
      domainOfRecord !== domain &&
      domainOfRecord !== policy.domain &&
      domainOfRecord !== treeWalkOrg &&
      f !== publicSuffixRecord
    ) {
      add(
        'dmarc.intermediate-record-ignored',
        `The DMARC record at ${f.step.name} does not apply to ${domain}: policy comes from the domain itself, its organisational domain (${treeWalkOrg}) or a public suffix domain.`,
        { name: f.step.name, record: f.parsed!.record, appliedName: policy.name },
      );
    }
  }
  // What an RFC 7489 receiver finds: the domain's record, else the PSL organisational domain's.
  let rfc7489: string | undefined;
  if (exact.parsed?.isDmarc) {
    rfc7489 = domain;
  } else if (orgDomain && orgDomain !== domain) {
    const atOrg = asked.find((f) => f.step.domain === orgDomain);
    if (!atOrg || atOrg.txt.status === 'unknown') return;
    if (atOrg.parsed?.isDmarc) rfc7489 = orgDomain;
  }
  if (rfc7489 !== policy.domain) {
    add(
      'dmarc.discovery-differs',
      rfc7489
        ? `RFC 9989 receivers apply ${policy.name}; RFC 7489 receivers apply _dmarc.${rfc7489} instead.`
        : `RFC 9989 receivers apply ${policy.name}; RFC 7489 receivers find no DMARC record for ${domain}.`,
      { rfc9989: policy.name, rfc7489: rfc7489 ? `_dmarc.${rfc7489}` : null },
    );
  }
}

function reportProblems(f: DiscoveredName, add: Add): void {
  const parsed = f.parsed!;
  for (const problem of parsed.problems) {
    add(`dmarc.${problem.code}`, `${f.step.name}: ${problem.message}`, {
      name: f.step.name,
      record: parsed.record,
      ...(problem.tag !== undefined && { tag: problem.tag }),
      ...(problem.value !== undefined && { value: problem.value }),
    });
  }
}

// Problems that make the record or one of its tags wrong, as opposed to advice about it.
const STRUCTURAL = new Set([
  'invalid-version',
  'version-not-first',
  'version-case',
  'syntax-error',
  'duplicate-tag',
  'unknown-tag',
  'invalid-value',
  'invalid-policy-value',
  'p-missing',
  'invalid-uri',
]);

function reportPolicy(policy: DmarcPolicyData, parsed: ParsedDmarcRecord, add: Add): void {
  const { effective, values, validTags } = parsed;
  if (!parsed.problems.some((p) => STRUCTURAL.has(p.code))) {
    add('dmarc.syntax-valid', `The record at ${policy.name} is valid DMARC.`, {
      record: parsed.record,
    });
  }
  if (parsed.policyState === 'ignored') return;

  const written = policy.appliedTag ? `${policy.appliedTag}=` : 'sp/np=';
  const from = policy.inherited ? ` (from ${policy.name})` : '';
  const asNone =
    parsed.policyState === 'treated-as-none'
      ? ' because the record has no valid policy, so receivers treat it as p=none'
      : '';
  const evidence = { tag: policy.appliedTag, value: policy.effectivePolicy, name: policy.name };
  switch (policy.effectivePolicy) {
    case 'reject':
      add('dmarc.policy-reject', `Failing mail is rejected: ${written}reject${from}.`, evidence);
      break;
    case 'quarantine':
      add(
        'dmarc.policy-quarantine',
        `Failing mail is quarantined: ${written}quarantine${from}.`,
        evidence,
      );
      break;
    case 'none':
      add(
        'dmarc.policy-none',
        `Failing mail is delivered as usual (monitoring only): ${written}none${from}${asNone}.`,
        evidence,
      );
      break;
    case undefined:
      break;
  }

  if (parsed.policyState === 'valid') {
    const p = effective.p!;
    for (const tag of ['sp', 'np'] as const) {
      const value = effective[tag]!;
      if (validTags.includes(tag) && POLICY_STRENGTH[value] < POLICY_STRENGTH[p]) {
        add(
          'dmarc.subdomain-policy-weaker',
          `${tag}=${value} is weaker than p=${p}: ${tag === 'sp' ? 'existing' : 'non-existent'} subdomains are less protected than the domain.`,
          { tag, value, p },
        );
      }
    }
  }

  if (validTags.includes('pct')) {
    const pct = effective.pct;
    if (policy.effectivePolicy === 'none') {
      add('dmarc.pct-with-none', `pct=${values.pct} has no effect with a policy of none.`, {
        pct,
      });
    } else if (pct === 0) {
      add(
        'dmarc.pct-zero',
        'pct=0: RFC 7489 receivers apply the next weaker policy to all failing mail.',
        { pct },
      );
    } else if (pct < 100) {
      add(
        'dmarc.pct-partial',
        `pct=${pct}: RFC 7489 receivers apply the policy to ${pct}% of failing mail only.`,
        { pct },
      );
    }
  }
  if (effective.t === 'y' && policy.effectivePolicy && policy.effectivePolicy !== 'none') {
    add(
      'dmarc.testing-mode',
      `t=y: receivers are asked to apply ${policy.effectivePolicy === 'reject' ? 'quarantine' : 'none'} instead of ${policy.effectivePolicy}.`,
      { t: 'y', policy: policy.effectivePolicy },
    );
  }
  if (values.fo !== undefined && effective.ruf.length === 0) {
    add('dmarc.fo-without-ruf', `fo=${values.fo} has no effect without a ruf address.`, {
      fo: values.fo,
    });
  }
}

function reportReporting(parsed: ParsedDmarcRecord, add: Add): void {
  const rua = parsed.effective.rua.filter((u) => u.valid);
  const ruf = parsed.effective.ruf.filter((u) => u.valid);
  if (rua.length > 0) {
    add('dmarc.rua-present', `Aggregate reports go to ${rua.map((u) => u.uri).join(', ')}.`, {
      rua: rua.map((u) => u.uri),
    });
  } else {
    add(
      'dmarc.no-rua',
      parsed.values.rua === undefined
        ? 'The record has no rua tag: no aggregate reports are sent.'
        : `rua=${parsed.values.rua} has no valid destination: no aggregate reports are sent.`,
      { rua: parsed.values.rua ?? null },
    );
  }
  if (ruf.length > 0) {
    add(
      'dmarc.ruf-present',
      `Failure reports are requested at ${ruf.map((u) => u.uri).join(', ')}.`,
      {
        ruf: ruf.map((u) => u.uri),
      },
    );
  }
}

function reportDestinations(destinations: DmarcDestination[], add: Add): void {
  const byDomain = new Map<string, DmarcDestination[]>();
  for (const d of destinations) byDomain.set(d.domain, [...(byDomain.get(d.domain) ?? []), d]);

  for (const [domain, list] of byDomain) {
    const auth = list[0]!.authorisation;
    const uris = list.map((d) => `${d.tag}=${d.uri}`);
    if (auth?.status === 'authorised') {
      add(
        'dmarc.external-destination-authorised',
        `${domain} authorises these reports (${auth.name}${auth.via === 'wildcard' ? ', by wildcard' : ''}).`,
        { destination: domain, name: auth.name, via: auth.via, uris },
      );
    } else if (auth?.status === 'unauthorised') {
      add(
        'dmarc.external-destination-unauthorised',
        `${domain} publishes no v=DMARC1 record at ${auth.name}, so receivers will not send it reports (${uris.join(', ')}).`,
        { destination: domain, name: auth.name, uris },
      );
    }
    const mail = list[0]!.mail;
    if (mail.status === 'none' || mail.status === 'null-mx') {
      add(
        'dmarc.destination-no-mx',
        mail.status === 'null-mx'
          ? `${domain} publishes a null MX: it accepts no mail, so reports to ${uris.join(', ')} bounce.`
          : `${domain} has no MX record and no address: reports to ${uris.join(', ')} cannot be delivered.`,
        { destination: domain, uris, mail: mail.status },
      );
    }
  }
  const mailOk = destinations.filter(
    (d) => d.mail.status === 'mx' || d.mail.status === 'implicit-mx',
  );
  if (destinations.length > 0 && mailOk.length === destinations.length) {
    add(
      'dmarc.destination-accepts-mail',
      `Every report destination domain accepts mail (${[...byDomain.keys()].join(', ')}).`,
      { destinations: [...byDomain.keys()] },
    );
  }
}
