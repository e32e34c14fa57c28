import type { Finding } from '../common/check-report';
import { SPF_MX_HOST_LIMIT, type SpfData, type SpfLookup, type SpfTreeNode } from './spf-data';
import type { SpfDns, TxtAnswer } from './spf-dns';
import { expandDomainSpec, parseMacroString } from './spf-macro';
import { isIpv4Network, prefixLength, toNetwork } from './spf-networks';
import {
  classifyTxt,
  parseSpfRecord,
  SpfMechanismNames,
  type SpfMechanismTerm,
  type SpfModifierTerm,
  type SpfQualifier,
} from './spf-parser';
import { spfFinding } from './spf.findings';

/**
 * Walks an SPF record and everything it includes or redirects to, counting DNS lookups the way
 * RFC 7208 §4.6.4 does. Hand-written: no library reports the count per term, void lookups, MX
 * address lookups and the tree, and none keeps going after the limit to say by how much.
 *
 * The walk evaluates every term a receiver could reach (the worst case: a sender matching
 * nothing), stops at `all` like a receiver does, and never queries a name twice.
 */

/** How the networks of a record reach the final result. */
type Reach =
  | { kind: 'top' } // the record's own qualifiers decide
  | { kind: 'include'; qualifier: SpfQualifier } // a `+` match inside becomes the include's qualifier
  | { kind: 'none' }; // nothing inside can make the top-level result pass

/** What the record's `all` (or its redirect target's) says about unlisted senders. */
export type EffectiveAll =
  | { kind: 'all'; qualifier: SpfQualifier; domain: string; term: string }
  | { kind: 'none' }
  | { kind: 'unknown' }
  | { kind: 'error' };

interface RecordInput {
  domain: string;
  record: string;
  strings: string[];
  depth: number;
  /** Domains being evaluated above this one, this one included. */
  chain: string[];
  reach: Reach;
  /** True for the scanned record and what it redirects to: their all and exp= decide. */
  decides: boolean;
  node: SpfTreeNode;
}

const MAX_MX_HOSTS_RESOLVED = 50;
const RESULT_NAMES: Record<SpfQualifier, string> = {
  '+': 'pass',
  '-': 'fail',
  '~': 'softfail',
  '?': 'neutral',
};

export class SpfEvaluator {
  readonly findings: Finding[] = [];
  readonly lookups: SpfLookup[] = [];
  readonly notFlattened: SpfData['notFlattened'] = [];
  voidLookupCount = 0;
  /** False once part of the tree could not be followed. */
  exact = true;
  /** Set when the scan's own lookup budget ran out (not a receiver's limit). */
  exhausted = false;
  /** Lookups each term of the scanned record costs, its includes' included. */
  readonly rootCosts: Array<{ term: string; lookups: number }> = [];
  explanation?: SpfData['explanation'];
  /**
   * The first `+all` reached inside an include that can pass: it matches every sender before the
   * scanned record's own `all` is reached, so it decides (with the include's qualifier).
   */
  catchAll?: { qualifier: SpfQualifier; domain: string; term: string };

  private readonly networks = new Map<
    string,
    { qualifier: SpfQualifier; domain: string; term: string }
  >();
  private readonly referenced = new Map<string, number>();
  private readonly duplicateReported = new Set<string>();
  private readonly broadReported = new Set<string>();
  /** Which tree node an include/redirect lookup led to (for the rendered tree). */
  readonly childOf = new Map<SpfLookup, SpfTreeNode>();

  constructor(
    private readonly dns: SpfDns,
    private readonly budget: number,
  ) {}

  get lookupCount(): number {
    return this.lookups.length;
  }

  /** Evaluates the scanned domain's record; returns its tree and the deciding `all`. */
  async evaluateRoot(
    domain: string,
    record: string,
    strings: string[],
  ): Promise<{ tree: SpfTreeNode; all: EffectiveAll }> {
    const tree = newNode(domain, 0);
    tree.record = record;
    const all = await this.evaluateRecord({
      domain,
      record,
      strings,
      depth: 0,
      chain: [domain],
      reach: { kind: 'top' },
      decides: true,
      node: tree,
    });
    return { tree, all };
  }

  authorisedNetworks(): string[] {
    return [...this.networks].filter(([, v]) => v.qualifier === '+').map(([n]) => n);
  }

  otherNetworks(): SpfData['otherNetworks'] {
    return [...this.networks]
      .filter(([, v]) => v.qualifier !== '+')
      .map(([network, v]) => ({ network, ...v }));
  }

  private add(...args: Parameters<typeof spfFinding>): void {
    this.findings.push(spfFinding(...args));
  }

  private async evaluateRecord(input: RecordInput): Promise<EffectiveAll> {
    const { domain, record, depth, decides, node } = input;
    const before = { count: this.lookupCount, voids: this.voidLookupCount };
    const parsed = parseSpfRecord(record);
    const where =
      depth === 0
        ? `the SPF record of ${domain}`
        : `the SPF record of ${domain} (reached through ${node.via})`;

    for (const term of parsed.errors) {
      const boundary = stringBoundaryInside(input.strings, term.offset, term.text.length);
      const glued =
        boundary === undefined
          ? ''
          : ` The term spans the end of one TXT string and the start of the next; DNS joins the strings with no space, so a space missing at the end of "${boundary}" glues two terms together.`;
      this.add(
        term.error,
        `In ${where}, "${term.text}": ${term.reason}. Receivers return permerror for the whole record.${glued}`,
        { domain, term: term.text, record, ...(boundary ? { spansStrings: true } : {}) },
      );
    }

    const modifiers = parsed.terms.filter((t): t is SpfModifierTerm => t.kind === 'modifier');
    const mechanisms = parsed.terms.filter((t): t is SpfMechanismTerm => t.kind === 'mechanism');
    const redirects = modifiers.filter((m) => m.name === 'redirect');
    const exps = modifiers.filter((m) => m.name === 'exp');
    for (const [name, list] of [
      ['redirect', redirects],
      ['exp', exps],
    ] as const) {
      if (list.length > 1) {
        this.add(
          'spf.duplicate-modifier',
          `${capitalise(where)} has ${list.length} ${name}= modifiers (${list.map((m) => `"${m.text}"`).join(', ')}); at most one is allowed, so receivers return permerror.`,
          { domain, modifiers: list.map((m) => m.text) },
        );
      }
    }
    for (const m of modifiers.filter((x) => x.name !== 'redirect' && x.name !== 'exp')) {
      if ((SpfMechanismNames as readonly string[]).includes(m.name)) {
        this.add(
          'spf.mechanism-written-as-modifier',
          `In ${where}, "${m.text}" is read as an unknown modifier and ignored; "${m.name}:${m.value}" was probably meant.`,
          { domain, term: m.text },
        );
      } else {
        this.add(
          'spf.unknown-modifier',
          `In ${where}, the modifier "${m.text}" is not defined by RFC 7208; receivers ignore it.`,
          { domain, term: m.text },
        );
      }
    }

    const allIndex = mechanisms.findIndex((m) => m.mechanism === 'all');
    const reached = allIndex < 0 ? mechanisms : mechanisms.slice(0, allIndex + 1);
    const unreached = allIndex < 0 ? [] : mechanisms.slice(allIndex + 1);
    if (unreached.length > 0) {
      this.add(
        'spf.terms-after-all',
        `In ${where}, ${unreached.map((m) => `"${m.text}"`).join(', ')} ${unreached.length === 1 ? 'comes' : 'come'} after "${mechanisms[allIndex]!.text}" and ${unreached.length === 1 ? 'is' : 'are'} never evaluated: the servers listed there are not authorised (and their lookups are not counted).`,
        { domain, all: mechanisms[allIndex]!.text, unreached: unreached.map((m) => m.text) },
      );
    }
    for (const m of reached.filter((x) => x.mechanism === 'ptr')) {
      this.add(
        'spf.ptr-mechanism',
        `${capitalise(where)} uses "${m.text}", which RFC 7208 says not to use; some receivers skip it, so servers authorised only by it may fail SPF.`,
        { domain, term: m.text },
      );
    }

    this.prefetch(domain, reached, allIndex < 0 ? redirects[0] : undefined);

    let all: EffectiveAll = { kind: 'none' };
    for (const m of reached) {
      // Out of budget: skip what costs lookups, but still read networks and the all mechanism.
      if (this.exhausted && !['all', 'ip4', 'ip6'].includes(m.mechanism)) continue;
      const start = this.lookupCount;
      await this.evaluateMechanism(input, m);
      if (depth === 0 && this.lookupCount > start) {
        this.rootCosts.push({ term: m.text, lookups: this.lookupCount - start });
      }
      if (m.mechanism === 'all') {
        all = { kind: 'all', qualifier: m.qualifier, domain, term: m.text };
        if (m.qualifier === '+' && !decides && input.reach.kind === 'include') {
          this.catchAll ??= { qualifier: input.reach.qualifier, domain, term: m.text };
          this.add(
            'spf.included-plus-all',
            `${capitalise(where)} ends in "${m.text}": the include matches every sender, so every server on the internet ${input.reach.qualifier === '+' ? 'passes SPF' : `gets "${RESULT_NAMES[input.reach.qualifier]}"`} for ${input.chain[0]}, before its own "all" is reached.`,
            { domain, term: m.text, via: node.via },
          );
        }
      }
    }

    const redirect = redirects[0];
    if (redirect && allIndex >= 0) {
      this.add(
        'spf.redirect-ignored',
        `${capitalise(where)} has both "${mechanisms[allIndex]!.text}" and "${redirect.text}"; the redirect is never used.`,
        { domain, all: mechanisms[allIndex]!.text, redirect: redirect.text },
      );
    } else if (redirect && !this.exhausted) {
      const start = this.lookupCount;
      all = await this.followRedirect(input, redirect);
      if (depth === 0) {
        this.rootCosts.push({ term: redirect.text, lookups: this.lookupCount - start });
      }
    }

    if (decides && exps[0] && !this.explanation) await this.readExplanation(domain, exps[0]);

    node.lookupCount = this.lookupCount - before.count;
    node.voidLookupCount = this.voidLookupCount - before.voids;
    return all;
  }

  /** Starts every query the record will need, so they travel in parallel; results are cached. */
  private prefetch(domain: string, reached: SpfMechanismTerm[], redirect?: SpfModifierTerm): void {
    for (const m of reached) {
      const target = m.domainSpec === undefined ? domain : expandDomainSpec(m.domainSpec, domain);
      if (target === undefined) continue;
      if (m.mechanism === 'include') void this.dns.txt(target);
      if (m.mechanism === 'a') void this.dns.addresses(target);
      if (m.mechanism === 'mx') void this.dns.mx(target);
      if (m.mechanism === 'exists') void this.dns.a(target);
    }
    const target = redirect && expandDomainSpec(redirect.value, domain);
    if (target) void this.dns.txt(target);
  }

  private count(input: RecordInput, term: string, mechanism: SpfLookup['mechanism']): SpfLookup {
    const row: SpfLookup = {
      index: this.lookupCount + 1,
      depth: input.depth,
      domain: input.domain,
      term,
      mechanism,
      counts: 1,
      result: 'not-evaluated',
    };
    this.lookups.push(row);
    input.node.lookups.push(row);
    if (this.lookupCount >= this.budget) this.exhausted = true;
    return row;
  }

  private settle(row: SpfLookup, result: SpfLookup['result']): void {
    row.result = result;
    if (result === 'void') this.voidLookupCount++;
    if (result === 'unknown') this.exact = false;
  }

  private async evaluateMechanism(input: RecordInput, m: SpfMechanismTerm): Promise<void> {
    const { domain } = input;
    switch (m.mechanism) {
      case 'all':
        if (m.qualifier === '+') {
          this.addNetwork(input, m, '0.0.0.0/0');
          this.addNetwork(input, m, '::/0');
        }
        return;
      case 'ip4':
      case 'ip6':
        this.addNetwork(
          input,
          m,
          toNetwork(m.address!, m.mechanism === 'ip4' ? m.ip4Cidr : m.ip6Cidr),
        );
        return;
      case 'ptr': {
        this.count(input, m.text, 'ptr');
        this.notFlattened.push({
          domain,
          term: m.text,
          reason: 'ptr depends on the client address',
        });
        return;
      }
      case 'a':
      case 'mx':
      case 'exists':
      case 'include': {
        const row = this.count(input, m.text, m.mechanism);
        const target = m.domainSpec === undefined ? domain : expandDomainSpec(m.domainSpec, domain);
        if (target === undefined) {
          this.notFlattened.push({
            domain,
            term: m.text,
            reason: 'its macro depends on the message (sender, client address or HELO name)',
          });
          if (m.mechanism === 'include') this.exact = false;
          return;
        }
        row.target = target;
        if (m.mechanism === 'a') return this.evaluateA(input, m, row, target);
        if (m.mechanism === 'mx') return this.evaluateMx(input, m, row, target);
        if (m.mechanism === 'exists') {
          const answer = await this.dns.a(target);
          this.settle(
            row,
            answer.status === 'ok' ? 'ok' : answer.status === 'unknown' ? 'unknown' : 'void',
          );
          row.addresses = answer.records;
          this.notFlattened.push({
            domain,
            term: m.text,
            reason:
              answer.status === 'ok'
                ? 'the name exists, so exists matches every sender'
                : 'exists tests a name, not an address',
          });
          return;
        }
        return this.followInclude(input, m, row, target);
      }
    }
  }

  private async evaluateA(input: RecordInput, m: SpfMechanismTerm, row: SpfLookup, target: string) {
    const found = await this.dns.addresses(target);
    this.settle(row, found.result);
    row.addresses = [...found.ipv4, ...found.ipv6];
    for (const ip of found.ipv4) this.addNetwork(input, m, toNetwork(ip, m.ip4Cidr));
    for (const ip of found.ipv6) this.addNetwork(input, m, toNetwork(ip, m.ip6Cidr));
  }

  private async evaluateMx(
    input: RecordInput,
    m: SpfMechanismTerm,
    row: SpfLookup,
    target: string,
  ) {
    const answer = await this.dns.mx(target);
    this.settle(
      row,
      answer.status === 'ok' ? 'ok' : answer.status === 'unknown' ? 'unknown' : 'void',
    );
    const hosts = answer.records;
    if (hosts.length > SPF_MX_HOST_LIMIT) {
      this.add(
        'spf.mx-too-many-hosts',
        `In the SPF record of ${input.domain}, "${m.text}" names ${target}, which has ${hosts.length} MX hosts; more than ${SPF_MX_HOST_LIMIT} makes the mechanism return permerror.`,
        { domain: input.domain, term: m.text, target, hosts },
      );
    }
    const resolved = await Promise.all(
      hosts
        .slice(0, MAX_MX_HOSTS_RESOLVED)
        .map(async (host) => ({ host, ...(await this.dns.addresses(host)) })),
    );
    row.mxHosts = resolved.map((h) => ({
      host: h.host,
      result: h.result,
      addresses: [...h.ipv4, ...h.ipv6],
    }));
    row.addresses = row.mxHosts.flatMap((h) => h.addresses);
    for (const h of resolved) {
      if (h.result === 'void') {
        this.add(
          'spf.mx-host-without-address',
          `The MX host ${h.host} of ${target} (used by "${m.text}" in the SPF record of ${input.domain}) has no A or AAAA record.`,
          { domain: input.domain, term: m.text, host: h.host },
        );
      }
      for (const ip of h.ipv4) this.addNetwork(input, m, toNetwork(ip, m.ip4Cidr));
      for (const ip of h.ipv6) this.addNetwork(input, m, toNetwork(ip, m.ip6Cidr));
    }
  }

  private async followInclude(
    input: RecordInput,
    m: SpfMechanismTerm,
    row: SpfLookup,
    target: string,
  ) {
    const reach: Reach =
      input.reach.kind === 'top'
        ? { kind: 'include', qualifier: m.qualifier }
        : input.reach.kind === 'include' && m.qualifier === '+'
          ? input.reach
          : { kind: 'none' };
    await this.follow(input, m.text, row, target, reach, false);
  }

  private async followRedirect(
    input: RecordInput,
    redirect: SpfModifierTerm,
  ): Promise<EffectiveAll> {
    const row = this.count(input, redirect.text, 'redirect');
    const target = expandDomainSpec(redirect.value, input.domain);
    if (target === undefined) {
      this.exact = false;
      this.notFlattened.push({
        domain: input.domain,
        term: redirect.text,
        reason: 'its macro depends on the message (sender, client address or HELO name)',
      });
      return { kind: 'unknown' };
    }
    row.target = target;
    return this.follow(input, redirect.text, row, target, input.reach, input.decides);
  }

  /** Fetches and evaluates an include or redirect target; the row is its lookup. */
  private async follow(
    input: RecordInput,
    term: string,
    row: SpfLookup,
    target: string,
    reach: Reach,
    decides: boolean,
  ): Promise<EffectiveAll> {
    const kind = row.mechanism === 'redirect' ? 'redirect' : 'include';
    const child = newNode(target, input.depth + 1, term);
    input.node.children.push(child);
    this.childOf.set(row, child);

    if (input.chain.includes(target)) {
      this.settle(row, 'ok');
      this.exact = false;
      child.status = 'loop';
      this.add(
        'spf.include-loop',
        `"${term}" in the SPF record of ${input.domain} leads back to ${target}, already being evaluated (${[...input.chain, target].join(' → ')}); receivers loop until the lookup limit and return permerror.`,
        { domain: input.domain, term, chain: [...input.chain, target] },
      );
      return { kind: 'error' };
    }
    const seen = (this.referenced.get(target) ?? 0) + 1;
    this.referenced.set(target, seen);
    if (seen === 2 && !this.duplicateReported.has(target)) {
      this.duplicateReported.add(target);
      this.add(
        'spf.duplicate-include',
        `${target} is included more than once in the SPF tree of this domain (again by "${term}" in the record of ${input.domain}); its lookups are counted each time.`,
        { domain: input.domain, term, target },
      );
    }

    const answer: TxtAnswer = await this.dns.txt(target);
    if (answer.status === 'unknown') {
      this.settle(row, 'unknown');
      child.status = 'unknown';
      return { kind: 'unknown' };
    }
    this.settle(row, answer.status === 'ok' ? 'ok' : 'void');
    const spf = answer.records.filter((r) => classifyTxt(r.value) === 'spf');
    if (spf.length !== 1) {
      child.status = spf.length === 0 ? 'no-spf' : 'multiple';
      const why =
        answer.status === 'nxdomain'
          ? 'does not exist'
          : spf.length === 0
            ? 'publishes no SPF record'
            : `publishes ${spf.length} SPF records`;
      if (spf.length > 1) {
        this.add(
          'spf.multiple-records',
          `${target}, reached through "${term}" in the SPF record of ${input.domain}, publishes ${spf.length} SPF records; receivers return permerror.`,
          { domain: target, records: spf.map((r) => r.value) },
        );
      }
      this.add(
        kind === 'redirect' ? 'spf.redirect-missing' : 'spf.include-missing',
        `"${term}" in the SPF record of ${input.domain}: ${target} ${why}, so receivers return permerror for every message.`,
        { domain: input.domain, term, target, dns: answer.status },
      );
      return { kind: 'error' };
    }
    child.status = 'ok';
    child.record = spf[0]!.value;
    if (this.exhausted) {
      child.status = 'not-followed';
      this.exact = false;
      return { kind: 'unknown' };
    }
    return this.evaluateRecord({
      domain: target,
      record: spf[0]!.value,
      strings: spf[0]!.strings,
      depth: input.depth + 1,
      chain: [...input.chain, target],
      reach,
      decides,
      node: child,
    });
  }

  private addNetwork(input: RecordInput, m: SpfMechanismTerm, network: string): void {
    const { reach } = input;
    const qualifier =
      reach.kind === 'top'
        ? m.qualifier
        : reach.kind === 'include' && m.qualifier === '+'
          ? reach.qualifier
          : undefined;
    if (qualifier === undefined) return;
    if (!this.networks.has(network)) {
      this.networks.set(network, { qualifier, domain: input.domain, term: m.text });
    }
    const tooWide = prefixLength(network) < (isIpv4Network(network) ? 8 : 16);
    const key = `${input.domain} ${m.text}`;
    if (qualifier === '+' && tooWide && m.mechanism !== 'all' && !this.broadReported.has(key)) {
      this.broadReported.add(key);
      this.add(
        'spf.overly-broad-network',
        `"${m.text}" in the SPF record of ${input.domain} authorises ${network}, ${describeSize(network)}.`,
        { domain: input.domain, term: m.text, network },
      );
    }
  }

  private async readExplanation(domain: string, exp: SpfModifierTerm): Promise<void> {
    const target = expandDomainSpec(exp.value, domain);
    let detail = 'its target depends on the message, so its text was not read';
    if (target !== undefined) {
      const answer = await this.dns.txt(target);
      const text = answer.records.length === 1 ? answer.records[0]!.value : undefined;
      this.explanation = {
        domain: target,
        status: answer.status,
        ...(text !== undefined ? { text } : {}),
      };
      if (text === undefined) {
        detail =
          answer.status === 'unknown'
            ? `${target} could not be read`
            : `${target} has ${answer.records.length === 0 ? 'no' : 'several'} TXT records, so receivers give no explanation`;
      } else {
        const macros = parseMacroString(text, 'explanation');
        detail = !macros.ok
          ? `its text "${text}" has an invalid macro (${macros.error}), so receivers give no explanation`
          : `receivers may send its text to rejected senders: "${text}"`;
      }
    }
    this.add('spf.exp-modifier', `The SPF record of ${domain} has "${exp.text}": ${detail}.`, {
      domain,
      term: exp.text,
      ...(this.explanation ? { explanation: this.explanation } : {}),
    });
  }
}

function newNode(domain: string, depth: number, via?: string): SpfTreeNode {
  return {
    domain,
    depth,
    ...(via !== undefined ? { via } : {}),
    status: 'ok',
    lookupCount: 0,
    voidLookupCount: 0,
    lookups: [],
    children: [],
  };
}

/** The string a term starts in, when the term runs on into the next string. */
function stringBoundaryInside(
  strings: string[],
  offset: number,
  length: number,
): string | undefined {
  let end = 0;
  for (const s of strings) {
    end += s.length;
    if (offset < end && end < offset + length) return s;
  }
  return undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeSize(network: string): string {
  const hostBits = (isIpv4Network(network) ? 32 : 128) - prefixLength(network);
  return hostBits >= 32 && !isIpv4Network(network)
    ? `2^${hostBits} addresses`
    : `${(2 ** hostBits).toLocaleString('en-GB')} addresses`;
}
