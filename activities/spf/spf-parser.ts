import ipaddr from 'ipaddr.js';
import { hasMacro, parseMacroString } from './spf-macro';

/**
 * SPF record syntax (RFC 7208 §4.6, §5, §6, §12), hand-written: the parsers in mail libraries
 * stop at the first error and do not say which term or why, which is what a report needs.
 */

export type SpfQualifier = '+' | '-' | '~' | '?';
export const SpfMechanismNames = [
  'all',
  'include',
  'a',
  'mx',
  'ptr',
  'ip4',
  'ip6',
  'exists',
] as const;
export type SpfMechanismName = (typeof SpfMechanismNames)[number];

/** The finding a malformed term produces. */
export type SpfTermErrorId =
  'spf.syntax-error' | 'spf.invalid-macro' | 'spf.macro-in-ip' | 'spf.invalid-cidr';

interface TermBase {
  /** The term exactly as written. */
  text: string;
  /** Where the term starts in the record (joined TXT strings). */
  offset: number;
}

export interface SpfMechanismTerm extends TermBase {
  kind: 'mechanism';
  qualifier: SpfQualifier;
  mechanism: SpfMechanismName;
  /** include, exists, redirect targets and the optional a/mx/ptr target, macros unexpanded. */
  domainSpec?: string;
  /** ip4/ip6: the address as written (before the prefix length). */
  address?: string;
  /** ip4, and the IPv4 part of a/mx. */
  ip4Cidr?: number;
  /** ip6, and the IPv6 part (after "//") of a/mx. */
  ip6Cidr?: number;
}

export interface SpfModifierTerm extends TermBase {
  kind: 'modifier';
  /** Lower-cased. */
  name: string;
  value: string;
}

export interface SpfInvalidTerm extends TermBase {
  kind: 'invalid';
  error: SpfTermErrorId;
  /** Why, in words, naming the offending part. */
  reason: string;
}

export type SpfTerm = SpfMechanismTerm | SpfModifierTerm | SpfInvalidTerm;

export interface ParsedSpfRecord {
  /** Every term in order, the invalid ones included. */
  terms: SpfTerm[];
  errors: SpfInvalidTerm[];
}

export type TxtKind = 'spf' | 'lookalike' | 'sender-id' | 'other';

const SPF_PREFIX = /^v=spf1( |$)/;
const SENDER_ID = /^\s*spf2\.0\//i;
const LOOKALIKE = /^[\s"'`]*v\s*[=:]\s*spf/i;

/** How a TXT record relates to SPF: the exact "v=spf1" prefix selects it (RFC 7208 §4.5). */
export function classifyTxt(value: string): TxtKind {
  if (SPF_PREFIX.test(value)) return 'spf';
  if (SENDER_ID.test(value)) return 'sender-id';
  if (LOOKALIKE.test(value)) return 'lookalike';
  return 'other';
}

/** Why a look-alike record is not selected as SPF, in words. */
export function lookalikeReason(value: string): string {
  if (/^\s/.test(value)) return 'it starts with whitespace before "v=spf1"';
  if (/^["'`]/.test(value)) return 'the quotes are part of the record text';
  if (/^v\s+[=:]|^v[=:]\s+/i.test(value)) return 'there is whitespace around "="';
  if (/^v:/i.test(value)) return 'it uses ":" instead of "=" after "v"';
  if (/^v=spf1/i.test(value) && !/^v=spf1/.test(value)) {
    return 'the version is not written in lower case ("v=spf1")';
  }
  if (/^v=spf1/.test(value)) {
    const after = value[6] ?? '';
    const shown = after === '\t' ? 'a tab' : `"${after}"`;
    return `"v=spf1" is followed by ${shown} instead of a space`;
  }
  return 'the version is not "v=spf1"';
}

/** Parses a record selected by `classifyTxt(...) === 'spf'`. */
export function parseSpfRecord(record: string): ParsedSpfRecord {
  const terms: SpfTerm[] = [];
  if (!SPF_PREFIX.test(record)) {
    const term = invalid(record, 0, 'spf.syntax-error', 'the record does not begin with "v=spf1"');
    return { terms: [term], errors: [term] };
  }
  let offset = 'v=spf1'.length;
  // Terms are separated by one or more spaces (SP only); trailing spaces are allowed.
  for (const text of record.slice(offset).split(' ')) {
    if (text !== '') terms.push(parseTerm(text, offset));
    offset += text.length + 1;
  }
  return { terms, errors: terms.filter((t): t is SpfInvalidTerm => t.kind === 'invalid') };
}

const MODIFIER = /^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$/s;
const CIDR4 = /^(0|[1-9][0-9]?)$/;
const CIDR6 = /^(0|[1-9][0-9]{0,2})$/;
const TOPLABEL = /^([a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;
const TYPOS: Record<string, string> = {
  ipv4: 'ip4',
  ipv6: 'ip6',
  ip: 'ip4 or ip6',
  inc: 'include',
  includes: 'include',
  exist: 'exists',
  redirect: 'redirect= (a modifier, written with "=")',
  exp: 'exp= (a modifier, written with "=")',
};

function invalid(text: string, offset: number, error: SpfTermErrorId, reason: string) {
  return { kind: 'invalid', text, offset, error, reason } satisfies SpfInvalidTerm;
}

export function parseTerm(text: string, offset: number): SpfTerm {
  const bad = /[^\x21-\x7e]/.exec(text);
  if (bad) {
    const ch = bad[0];
    const what = ch === '\t' ? 'a tab' : ch === '\n' || ch === '\r' ? 'a line break' : `"${ch}"`;
    const hint = /\s/.test(ch) ? ' (terms are separated by spaces only)' : '';
    return invalid(text, offset, 'spf.syntax-error', `it contains ${what}${hint}`);
  }

  const modifier = MODIFIER.exec(text);
  if (modifier) return parseModifier(text, offset, modifier[1]!.toLowerCase(), modifier[2]!);

  let qualifier: SpfQualifier = '+';
  let rest = text;
  if ('+-~?'.includes(text[0]!)) {
    qualifier = text[0] as SpfQualifier;
    rest = text.slice(1);
  }
  if (MODIFIER.test(rest)) {
    return invalid(text, offset, 'spf.syntax-error', 'a modifier cannot take a qualifier');
  }
  const named = /^([A-Za-z][A-Za-z0-9]*)(.*)$/s.exec(rest);
  if (!named) {
    return invalid(text, offset, 'spf.syntax-error', 'it is neither a mechanism nor a modifier');
  }
  const name = named[1]!.toLowerCase();
  const args = named[2]!;
  if (!(SpfMechanismNames as readonly string[]).includes(name)) {
    const typo = TYPOS[name];
    const hint = typo ? `; did you mean ${typo}?` : '';
    return invalid(text, offset, 'spf.syntax-error', `"${named[1]}" is not a mechanism${hint}`);
  }
  const mechanism = name as SpfMechanismName;
  const base = { kind: 'mechanism' as const, text, offset, qualifier, mechanism };
  const fail = (error: SpfTermErrorId, reason: string) => invalid(text, offset, error, reason);

  switch (mechanism) {
    case 'all':
      return args === '' ? base : fail('spf.syntax-error', '"all" takes no argument');
    case 'include':
    case 'exists': {
      if (!args.startsWith(':')) {
        return fail('spf.syntax-error', `"${mechanism}" needs ":" and a domain`);
      }
      const spec = args.slice(1);
      const problem = domainSpecProblem(spec);
      if (problem) {
        if (/\/[0-9]*$/.test(spec) && !problem.macro) {
          return fail('spf.syntax-error', `"${mechanism}" takes no prefix length`);
        }
        return fail(problem.macro ? 'spf.invalid-macro' : 'spf.syntax-error', problem.reason);
      }
      return { ...base, domainSpec: spec };
    }
    case 'ptr': {
      if (args === '') return base;
      if (!args.startsWith(':'))
        return fail('spf.syntax-error', '"ptr" takes only ":" and a domain');
      const problem = domainSpecProblem(args.slice(1));
      if (problem)
        return fail(problem.macro ? 'spf.invalid-macro' : 'spf.syntax-error', problem.reason);
      return { ...base, domainSpec: args.slice(1) };
    }
    case 'a':
    case 'mx':
      return parseAddressMechanism(base, args, fail);
    case 'ip4':
    case 'ip6':
      return parseIpMechanism(base, args, fail);
  }
}

function parseModifier(text: string, offset: number, name: string, value: string): SpfTerm {
  if (name === 'redirect' || name === 'exp') {
    const problem = domainSpecProblem(value);
    if (problem) {
      return invalid(
        text,
        offset,
        problem.macro ? 'spf.invalid-macro' : 'spf.syntax-error',
        problem.reason,
      );
    }
  } else {
    const macros = parseMacroString(value, 'domain-spec');
    if (!macros.ok) return invalid(text, offset, 'spf.invalid-macro', macros.error);
  }
  return { kind: 'modifier', text, offset, name, value };
}

type Fail = (error: SpfTermErrorId, reason: string) => SpfInvalidTerm;

function parseAddressMechanism(
  base: Omit<SpfMechanismTerm, 'domainSpec'>,
  args: string,
  fail: Fail,
): SpfTerm {
  let rest = args;
  let ip6: string | undefined;
  let ip4: string | undefined;
  const double = /\/\/([^/}]*)$/.exec(rest);
  if (double) {
    ip6 = double[1]!;
    rest = rest.slice(0, double.index);
  }
  const single = /\/([^/}]*)$/.exec(rest);
  if (single) {
    ip4 = single[1]!;
    rest = rest.slice(0, single.index);
  }
  if (ip4 !== undefined && !validCidr(ip4, CIDR4, 32)) {
    return fail('spf.invalid-cidr', `"/${ip4}" is not an IPv4 prefix length (0 to 32)`);
  }
  if (ip6 !== undefined && !validCidr(ip6, CIDR6, 128)) {
    return fail('spf.invalid-cidr', `"//${ip6}" is not an IPv6 prefix length (0 to 128)`);
  }
  const cidrs = {
    ...(ip4 !== undefined ? { ip4Cidr: Number(ip4) } : {}),
    ...(ip6 !== undefined ? { ip6Cidr: Number(ip6) } : {}),
  };
  if (rest === '') return { ...base, ...cidrs };
  if (!rest.startsWith(':')) {
    return fail('spf.syntax-error', `"${base.mechanism}" is followed by "${rest}"`);
  }
  const spec = rest.slice(1);
  const problem = domainSpecProblem(spec);
  if (problem)
    return fail(problem.macro ? 'spf.invalid-macro' : 'spf.syntax-error', problem.reason);
  return { ...base, domainSpec: spec, ...cidrs };
}

function parseIpMechanism(
  base: Omit<SpfMechanismTerm, 'domainSpec'>,
  args: string,
  fail: Fail,
): SpfTerm {
  const v4 = base.mechanism === 'ip4';
  if (!args.startsWith(':') || args.length === 1) {
    return fail('spf.syntax-error', `"${base.mechanism}" needs ":" and an address`);
  }
  const value = args.slice(1);
  if (hasMacro(value)) {
    return fail('spf.macro-in-ip', `"${base.mechanism}" takes a literal address, not a macro`);
  }
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? undefined : value.slice(slash + 1);
  if (v4 && !ipaddr.IPv4.isValidFourPartDecimal(address)) {
    const hint = ipaddr.IPv6.isValid(address) ? '; IPv6 addresses go in ip6:' : '';
    return fail(
      'spf.syntax-error',
      `"${address}" is not an IPv4 address in dotted-decimal form${hint}`,
    );
  }
  if (!v4 && !ipaddr.IPv6.isValid(address)) {
    const hint = ipaddr.IPv4.isValid(address) ? '; IPv4 addresses go in ip4:' : '';
    return fail('spf.syntax-error', `"${address}" is not an IPv6 address${hint}`);
  }
  if (prefix !== undefined && !validCidr(prefix, v4 ? CIDR4 : CIDR6, v4 ? 32 : 128)) {
    return fail(
      'spf.invalid-cidr',
      `"/${prefix}" is not an ${v4 ? 'IPv4' : 'IPv6'} prefix length (0 to ${v4 ? 32 : 128})`,
    );
  }
  const cidr =
    prefix === undefined ? {} : v4 ? { ip4Cidr: Number(prefix) } : { ip6Cidr: Number(prefix) };
  return { ...base, address, ...cidr };
}

function validCidr(text: string, pattern: RegExp, max: number): boolean {
  return pattern.test(text) && Number(text) <= max;
}

/**
 * What is wrong with a domain-spec (RFC 7208 §7.1: macro-string domain-end), if anything.
 * `macro` marks a macro error (its own finding) rather than a plain syntax error.
 */
export function domainSpecProblem(spec: string): { reason: string; macro: boolean } | undefined {
  if (spec === '') return { reason: 'the domain is empty', macro: false };
  const parsed = parseMacroString(spec, 'domain-spec');
  if (!parsed.ok) return { reason: parsed.error, macro: true };
  const last = parsed.tokens[parsed.tokens.length - 1];
  // domain-end: a macro, or "." toplabel with an optional final dot.
  if (last && last.kind !== 'literal') return undefined;
  const tail = (last?.text ?? '').replace(/\.$/, '');
  const dot = tail.lastIndexOf('.');
  if (dot < 0) {
    return { reason: `"${spec}" is not a fully qualified domain name`, macro: false };
  }
  const toplabel = tail.slice(dot + 1);
  if (!TOPLABEL.test(toplabel)) {
    if (/^[0-9]+$/.test(toplabel) && ipaddr.IPv4.isValid(spec.replace(/\.$/, ''))) {
      return {
        reason: `"${spec}" is an address, not a domain; addresses go in ip4:`,
        macro: false,
      };
    }
    return { reason: `"${spec}" does not end in a valid top-level label`, macro: false };
  }
  if (!hasMacro(spec)) {
    const labels = spec.replace(/\.$/, '').split('.');
    if (labels.some((l) => l === ''))
      return { reason: `"${spec}" has an empty label`, macro: false };
    if (labels.some((l) => l.length > 63)) {
      return { reason: `"${spec}" has a label longer than 63 characters`, macro: false };
    }
    if (spec.replace(/\.$/, '').length > 253) {
      return { reason: `"${spec}" is longer than 253 characters`, macro: false };
    }
  }
  return undefined;
}
