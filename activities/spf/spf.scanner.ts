import { validateDomainName } from '../../libs/domain-name';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import {
  SPF_LOOKUP_LIMIT,
  SPF_VOID_LOOKUP_LIMIT,
  type SpfData,
  type SpfLookup,
  type SpfTreeNode,
  type SpfTxtRecord,
} from './spf-data';
import { SpfDns } from './spf-dns';
import { SpfEvaluator, type EffectiveAll } from './spf-evaluator';
import { dedupeNetworks } from './spf-networks';
import { classifyTxt, lookalikeReason, parseSpfRecord } from './spf-parser';
import { CLASSIC_UDP_LIMIT, estimateTxtResponseBytes } from './spf-record-size';
import { querySpfRrType } from './spf-rr-type';
import { spfFinding, type SpfFindingId } from './spf.findings';

// mailauth's SPF answers "does this IP pass" for one message; a posture check needs every term,
// the count per term and the tree, so the engine (spf-evaluator.ts) is hand-written.

export interface SpfScanOptions {
  /** Timeout of the raw type-99 query (the resolver's own timeout cannot be read back). */
  rawQueryTimeoutMs?: number;
  /** Skip the type-99 query (e.g. a resolver known to drop unusual types). */
  skipSpfRrType?: boolean;
  /** Stop following includes after this many counted lookups (receivers stop at 11). */
  maxCountedLookups?: number;
}

/** Findings after which receivers return permerror: the record is not valid. */
const PERMERROR: ReadonlySet<SpfFindingId> = new Set<SpfFindingId>([
  'spf.multiple-records',
  'spf.syntax-error',
  'spf.invalid-macro',
  'spf.macro-in-ip',
  'spf.invalid-cidr',
  'spf.duplicate-modifier',
  'spf.include-missing',
  'spf.redirect-missing',
  'spf.include-loop',
  'spf.too-many-lookups',
  'spf.too-many-void-lookups',
  'spf.mx-too-many-hosts',
]);

/**
 * The SPF posture of a domain: its record, every term parsed, the lookup tree counted as
 * receivers count it (RFC 7208 §4.6.4), the networks it authorises, and findings.
 */
export async function scanSpf(
  domain: string,
  ctx: CheckContext,
  options: SpfScanOptions = {},
): Promise<CheckReport<SpfData>> {
  const name = validateDomainName(domain).ascii;
  const dns = new SpfDns(ctx);
  const findings: Finding[] = [];
  const data: SpfData = {
    records: [],
    terms: [],
    lookupCount: 0,
    lookupCountExact: true,
    voidLookupCount: 0,
    lookups: [],
    authorisedNetworks: [],
    otherNetworks: [],
    notFlattened: [],
  };
  const report = (): CheckReport<SpfData> => ({
    check: 'spf',
    domain: name,
    status: dns.undetermined.length > 0 ? 'unknown' : 'completed',
    findings,
    data,
    undetermined: dns.undetermined,
  });

  const [txt, rrType] = await Promise.all([dns.txt(name), spfRrType(name, ctx, options, dns)]);

  if (rrType) {
    data.spfRrType = { status: rrType.status, records: rrType.records };
    if (rrType.status === 'ok') {
      const same = txt.records.some((r) => rrType.records.includes(r.value));
      findings.push(
        spfFinding(
          'spf.obsolete-spf-rr-type',
          `${name} publishes a type-99 SPF record ("${rrType.records.join('", "')}")${same ? ', identical to its TXT record' : ' that differs from its TXT SPF record; receivers read only TXT'}.`,
          { records: rrType.records },
        ),
      );
    }
  }
  if (txt.status === 'unknown') return report(); // nothing certain about the record itself

  const records: SpfTxtRecord[] = [];
  for (const r of txt.records) {
    const kind = classifyTxt(r.value);
    if (kind !== 'other') records.push({ value: r.value, strings: r.strings, kind });
  }
  data.records = records;
  for (const r of records.filter((x) => x.kind === 'lookalike')) {
    findings.push(
      spfFinding(
        'spf.malformed-version',
        `The TXT record "${r.value}" at ${name} looks like SPF but ${lookalikeReason(r.value)}; receivers select SPF records by an exact "v=spf1 " prefix and ignore it.`,
        { record: r.value },
      ),
    );
  }
  for (const r of records.filter((x) => x.kind === 'sender-id')) {
    findings.push(
      spfFinding(
        'spf.sender-id-record',
        `${name} publishes the Sender ID record "${r.value}"; receivers ignore it.`,
        { record: r.value },
      ),
    );
  }
  for (const r of records.filter((x) => x.kind !== 'sender-id')) {
    const long = r.strings.filter((s) => Buffer.byteLength(s) > 255);
    if (long.length > 0) {
      findings.push(
        spfFinding(
          'spf.txt-string-too-long',
          `A TXT record at ${name} has a character-string of ${Buffer.byteLength(long[0]!)} bytes; the limit is 255.`,
          { record: r.value, lengths: r.strings.map((s) => Buffer.byteLength(s)) },
        ),
      );
    }
  }

  const spf = records.filter((r) => r.kind === 'spf');
  if (spf.length === 0) {
    const why =
      txt.status === 'nxdomain'
        ? `${name} does not exist (NXDOMAIN)`
        : records.some((r) => r.kind === 'lookalike')
          ? `${name} has no TXT record beginning with exactly "v=spf1", only a look-alike`
          : `${name} has no TXT record beginning with "v=spf1"`;
    findings.push(spfFinding('spf.missing', `${why}: receivers get the SPF result "none".`));
    return report();
  }

  data.txtResponseBytes = estimateTxtResponseBytes(
    name,
    txt.records.map((r) => r.strings),
  );
  if (data.txtResponseBytes > CLASSIC_UDP_LIMIT) {
    findings.push(
      spfFinding(
        'spf.record-too-large-for-udp',
        `The TXT answer for ${name} is about ${data.txtResponseBytes} bytes (${txt.records.length} TXT record${txt.records.length === 1 ? '' : 's'}, the SPF record ${Buffer.byteLength(spf[0]!.value)} characters); over ${CLASSIC_UDP_LIMIT} bytes, resolvers without EDNS must retry over TCP.`,
        {
          estimatedBytes: data.txtResponseBytes,
          limit: CLASSIC_UDP_LIMIT,
          txtRecords: txt.records.length,
        },
      ),
    );
  }

  if (spf.length > 1) {
    findings.push(
      spfFinding(
        'spf.multiple-records',
        `${name} publishes ${spf.length} SPF records; receivers return permerror instead of choosing one.`,
        { records: spf.map((r) => r.value) },
      ),
    );
    return report();
  }

  const [record] = spf as [SpfTxtRecord];
  data.record = record.value;
  data.terms = parseSpfRecord(record.value).terms;

  const evaluator = new SpfEvaluator(dns, options.maxCountedLookups ?? 50);
  const { tree, all } = await evaluator.evaluateRoot(name, record.value, record.strings);
  findings.push(...evaluator.findings);

  const certain = dns.undetermined.length === 0;
  const exact = evaluator.exact && !evaluator.exhausted;
  data.tree = tree;
  data.lookups = evaluator.lookups;
  data.lookupCount = evaluator.lookupCount;
  data.lookupCountExact = exact;
  data.voidLookupCount = evaluator.voidLookupCount;
  data.authorisedNetworks = dedupeNetworks(evaluator.authorisedNetworks());
  data.otherNetworks = evaluator.otherNetworks();
  data.notFlattened = evaluator.notFlattened;
  if (evaluator.catchAll) data.all = evaluator.catchAll;
  else if (all.kind === 'all')
    data.all = { qualifier: all.qualifier, domain: all.domain, term: all.term };
  if (evaluator.explanation) data.explanation = evaluator.explanation;

  findings.push(...redirectFindings(name, tree, all));
  // An included +all decides before the record's own all (spf.included-plus-all says so).
  if (!evaluator.catchAll) findings.push(...allFindings(name, all));
  findings.push(...lookupFindings(name, evaluator, tree, exact));
  findings.push(...voidFindings(name, evaluator.lookups, evaluator.voidLookupCount));

  const broken = findings.some((f) => PERMERROR.has(f.id as SpfFindingId));
  if (broken || !certain || !exact) {
    // After a permerror, or with part of the tree unseen (an unseen include could hold +all),
    // "ends in -all" or "within the limit" would reassure wrongly: only problems are certain.
    return { ...report(), findings: findings.filter((f) => f.severity !== 'pass') };
  }
  findings.unshift(
    spfFinding(
      'spf.valid',
      `${name} publishes one SPF record, "${record.value}", which receivers can evaluate without error (${evaluator.lookupCount} of ${SPF_LOOKUP_LIMIT} lookups).`,
    ),
  );
  return report();
}

async function spfRrType(
  name: string,
  ctx: CheckContext,
  options: SpfScanOptions,
  dns: SpfDns,
): Promise<{ status: 'ok' | 'nodata' | 'nxdomain' | 'unknown'; records: string[] } | undefined> {
  const server = ctx.resolver.getServers()[0];
  if (options.skipSpfRrType || server === undefined) return undefined;
  const result = await querySpfRrType(server, name, options.rawQueryTimeoutMs ?? 2000);
  if (result.status === 'unknown') {
    dns.noteUndetermined(name, 'SPF', result.error?.code ?? 'EUNKNOWN');
  }
  return { status: result.status, records: result.records };
}

function redirectFindings(name: string, tree: SpfTreeNode, all: EffectiveAll): Finding[] {
  const child = tree.children.find((c) => c.via?.toLowerCase().startsWith('redirect='));
  if (!child || child.status !== 'ok') return [];
  const decided = all.kind === 'all' ? `; its "${all.term}" decides for unlisted senders` : '';
  return [
    spfFinding(
      'spf.redirect',
      `${name} delegates its SPF policy with "${child.via}" to ${child.domain}${decided}.`,
      { target: child.domain, record: child.record },
    ),
  ];
}

function allFindings(name: string, all: EffectiveAll): Finding[] {
  if (all.kind === 'unknown' || all.kind === 'error') return [];
  if (all.kind === 'none') {
    return [
      spfFinding(
        'spf.missing-all',
        `The SPF record of ${name} has neither an all mechanism nor a redirect: unlisted senders get "neutral".`,
      ),
    ];
  }
  const where =
    all.domain === name
      ? `The SPF record of ${name}`
      : `${all.domain}, the redirect target of ${name},`;
  const evidence = { term: all.term, domain: all.domain };
  switch (all.qualifier) {
    case '+':
      return [
        spfFinding(
          'spf.plus-all',
          `${where} ends in "${all.term}": every server on the internet passes SPF for ${name}.`,
          evidence,
        ),
      ];
    case '?':
      return [
        spfFinding(
          'spf.neutral-all',
          `${where} ends in "${all.term}": unlisted senders get "neutral".`,
          evidence,
        ),
      ];
    case '~':
      return [
        spfFinding(
          'spf.soft-fail',
          `${where} ends in "${all.term}": unlisted senders get "softfail".`,
          evidence,
        ),
      ];
    case '-':
      return [
        spfFinding(
          'spf.hard-fail',
          `${where} ends in "${all.term}": unlisted senders get "fail".`,
          evidence,
        ),
      ];
  }
}

function lookupFindings(
  name: string,
  evaluator: SpfEvaluator,
  tree: SpfTreeNode,
  exact: boolean,
): Finding[] {
  const count = evaluator.lookupCount;
  const atLeast = exact ? '' : 'at least ';
  const evidence = {
    lookupCount: count,
    exact,
    limit: SPF_LOOKUP_LIMIT,
    byTerm: evaluator.rootCosts,
    tree: renderTree(tree, evaluator.childOf),
  };
  if (count > SPF_LOOKUP_LIMIT) {
    const over = evaluator.lookups[SPF_LOOKUP_LIMIT]!;
    const heaviest = [...evaluator.rootCosts]
      .sort((a, b) => b.lookups - a.lookups)
      .slice(0, 3)
      .map((c) => `"${c.term}" ${c.lookups}`)
      .join(', ');
    return [
      spfFinding(
        'spf.too-many-lookups',
        `Evaluating the SPF record of ${name} takes ${atLeast}${count} DNS lookups (limit ${SPF_LOOKUP_LIMIT}). Receivers stop at the ${ordinal(SPF_LOOKUP_LIMIT + 1)}, "${over.term}" in the record of ${over.domain}, and return permerror. Largest costs: ${heaviest}.`,
        { ...evidence, exceededAt: over },
      ),
    ];
  }
  if (!exact) return []; // part of the tree is unknown: no claim either way
  if (count === SPF_LOOKUP_LIMIT) {
    return [
      spfFinding(
        'spf.lookups-at-limit',
        `Evaluating the SPF record of ${name} takes exactly ${count} DNS lookups, the maximum receivers allow: one more anywhere in the tree and it fails.`,
        evidence,
      ),
    ];
  }
  return [
    spfFinding(
      'spf.lookups-within-limit',
      `Evaluating the SPF record of ${name} takes ${count} of the ${SPF_LOOKUP_LIMIT} DNS lookups receivers allow.`,
      evidence,
    ),
  ];
}

function voidFindings(name: string, lookups: SpfLookup[], voids: number): Finding[] {
  if (voids === 0) return [];
  const list = lookups
    .filter((l) => l.result === 'void')
    .map((l) => ({ term: l.term, domain: l.domain, target: l.target }));
  const named = list.map((l) => `"${l.term}" (${l.domain})`).join(', ');
  if (voids > SPF_VOID_LOOKUP_LIMIT) {
    return [
      spfFinding(
        'spf.too-many-void-lookups',
        `The SPF tree of ${name} makes ${voids} void lookups (limit ${SPF_VOID_LOOKUP_LIMIT}): ${named}. Receivers return permerror at the ${ordinal(SPF_VOID_LOOKUP_LIMIT + 1)}.`,
        { voidLookupCount: voids, limit: SPF_VOID_LOOKUP_LIMIT, voidLookups: list },
      ),
    ];
  }
  return [
    spfFinding(
      'spf.void-lookups',
      `The SPF tree of ${name} makes ${voids} void lookup${voids === 1 ? '' : 's'} (names with no records): ${named}. The limit is ${SPF_VOID_LOOKUP_LIMIT}.`,
      { voidLookupCount: voids, limit: SPF_VOID_LOOKUP_LIMIT, voidLookups: list },
    ),
  ];
}

/** The lookup tree as indented lines, e.g. `  include:_spf.example.com (+3 inside)`. */
export function renderTree(tree: SpfTreeNode, childOf: Map<SpfLookup, SpfTreeNode>): string[] {
  const lines = [`${tree.domain}: ${tree.lookupCount} lookups`];
  const walk = (node: SpfTreeNode, indent: string) => {
    for (const lookup of node.lookups) {
      const child = childOf.get(lookup);
      const note = lookup.result === 'ok' ? '' : ` [${lookup.result}]`;
      const inside = child && child.status === 'ok' ? `, +${child.lookupCount} inside` : '';
      const status =
        child && child.status !== 'ok' && child.status !== lookup.result
          ? ` [${child.status}]`
          : '';
      lines.push(`${indent}#${lookup.index} ${lookup.term} (1${inside})${note}${status}`);
      if (child && child.status === 'ok') walk(child, `${indent}  `);
    }
  };
  walk(tree, '  ');
  return lines;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
