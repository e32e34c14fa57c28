import ipaddr from 'ipaddr.js';
import { domainToASCII, domainToUnicode } from 'node:url';
import { InvalidDomainName } from './invalid-domain-name.error';

/** A host name fit to be a scan target, in both of its forms. */
export interface ValidDomainName {
  /** A-label (punycode) form: lowercase, no trailing dot; what DNS is asked about. */
  ascii: string;
  /** U-label form, for display. */
  unicode: string;
}

// Input is user-supplied and possibly hostile: nothing longer is normalised, mapped or parsed.
const MAX_INPUT_LENGTH = 1024;
const MAX_NAME_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;
// The separators UTS #46 maps to '.': full stop, ideographic, fullwidth and halfwidth ideographic.
const DOT = /[.\u3002\uFF0E\uFF61]/;
const TRAILING_DOT = /[.\u3002\uFF0E\uFF61]$/;
const LDH = /^[a-z0-9-]+$/;
const LDH_CHAR = /[A-Za-z0-9-]/;
// Longest IPv6 text form is 45 characters; more only with a zone index, which is no host either.
const MAX_IPV6_LITERAL = 64;

/**
 * Validates a domain name as a scan target: a public-DNS host name (LDH after IDNA, at least two
 * labels, no IP literal), returning its A-label and U-label forms. Throws `InvalidDomainName`.
 */
export function validateDomainName(input: string): ValidDomainName {
  if (typeof input !== 'string') {
    throw new InvalidDomainName('not-a-hostname', 'a domain name must be a string');
  }
  if (input.length > MAX_INPUT_LENGTH) {
    throw new InvalidDomainName(
      'too-long',
      `domain name input is ${input.length} characters long; at most ${MAX_INPUT_LENGTH} are read`,
    );
  }
  const name = input.trim();
  if (name === '') throw new InvalidDomainName('empty', 'domain name is empty');
  const shown = show(name);

  // NFKC approximates the UTS #46 mapping, so a fullwidth ':' or '/' is judged as what it becomes.
  const folded = name.normalize('NFKC');
  rejectIpv6Literal(folded, shown);
  rejectNonHostname(folded, shown);
  rejectAsciiOutsideLdh(folded, shown);

  let host = toAscii(name, shown);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') throw new InvalidDomainName('empty', `${shown} has no labels`);
  // domainToASCII runs the WHATWG host parser, which has already turned 127.1, 0x7f.0.0.1 or
  // 2130706433 into dotted-quad form.
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    throw new InvalidDomainName(
      'ip-literal',
      `${shown} is an IPv4 address (${host}), not a domain name`,
    );
  }
  const labels = host.split('.');
  if (labels.includes('')) {
    throw new InvalidDomainName(
      'empty-label',
      `${shown} has an empty label (a leading dot or two dots in a row)`,
      '',
    );
  }
  if (host.length > MAX_NAME_OCTETS) {
    throw new InvalidDomainName(
      'too-long',
      `${shown} is ${host.length} octets long in ASCII form; at most ${MAX_NAME_OCTETS} are allowed`,
    );
  }
  for (const label of labels) checkLabel(label, shown);
  if (labels.length < 2) {
    throw new InvalidDomainName(
      'single-label',
      `${shown} is a single label; a scan target is a name such as example.com`,
      host,
    );
  }
  const tld = labels[labels.length - 1];
  if (/^[0-9]+$/.test(tld)) throw numericTld(tld, shown);
  return { ascii: host, unicode: domainToUnicode(host) };
}

/** `validateDomainName` as a predicate. */
export function isValidDomainName(input: string): boolean {
  try {
    validateDomainName(input);
    return true;
  } catch (error) {
    if (error instanceof InvalidDomainName) return false;
    throw error;
  }
}

function rejectIpv6Literal(folded: string, shown: string): void {
  const bare = folded.startsWith('[') && folded.endsWith(']') ? folded.slice(1, -1) : folded;
  if (bare.length <= MAX_IPV6_LITERAL && bare.includes(':') && ipaddr.IPv6.isValid(bare)) {
    throw new InvalidDomainName('ip-literal', `${shown} is an IPv6 address, not a domain name`);
  }
}

function rejectNonHostname(folded: string, shown: string): void {
  const hint = 'give the host name alone, e.g. example.com';
  let problem: string | undefined;
  if (/\s/.test(folded)) problem = 'contains whitespace';
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(folded)) problem = 'is a URL';
  else if (folded.includes('@')) problem = "contains user information ('@')";
  else if (/[/\\?#]/.test(folded)) problem = 'contains a path, query or fragment';
  else if (/:[0-9]*$/.test(folded)) problem = 'contains a port';
  else if (/[:[\]]/.test(folded)) problem = "contains ':', '[' or ']'";
  if (problem !== undefined) {
    throw new InvalidDomainName('not-a-hostname', `${shown} ${problem}; ${hint}`);
  }
}

/** Names the label for ASCII the LDH rule forbids, before IDNA would pass or blur it. */
function rejectAsciiOutsideLdh(folded: string, shown: string): void {
  for (const label of folded.split(DOT)) {
    for (const char of label) {
      if (char.charCodeAt(0) < 0x80 && !LDH_CHAR.test(char)) {
        throw invalidCharacter(label, char, shown);
      }
    }
  }
}

function toAscii(name: string, shown: string): string {
  const ascii = domainToASCII(name);
  if (ascii !== '') return ascii;
  // WHATWG refuses a host whose last label reads as a number yet is no IPv4 address
  // (example.123, example.0x1f); with a letter label after it, the rest of the name passes.
  const probe = domainToASCII(name.replace(TRAILING_DOT, '') + '.a');
  if (probe !== '') {
    const labels = probe.split('.');
    throw numericTld(labels[labels.length - 2], shown);
  }
  const label = name.split(DOT).find((l) => l !== '' && domainToASCII(l) === '');
  throw new InvalidDomainName(
    'idna',
    label === undefined
      ? `${shown} is not a valid internationalised domain name (UTS #46 refuses it)`
      : `label ${show(label)} of ${shown} is not valid under IDNA (UTS #46 refuses it)`,
    label,
  );
}

function checkLabel(label: string, shown: string): void {
  const named = `label ${show(label)} of ${shown}`;
  if (label.length > MAX_LABEL_OCTETS) {
    throw new InvalidDomainName(
      'label-too-long',
      `${named} is ${label.length} octets long in ASCII form; at most ${MAX_LABEL_OCTETS} are allowed`,
      label,
    );
  }
  if (!LDH.test(label)) {
    // Only IDNA mapping can bring a character here (e.g. fullwidth '＿' becomes '_').
    const char = [...label].find((c) => !/[a-z0-9-]/.test(c)) ?? '';
    throw invalidCharacter(label, char, shown);
  }
  // Before the hyphen rules, so 'xn--' or 'xn--abc-' is reported as the broken A-label it is.
  if (label.startsWith('xn--')) {
    // domainToASCII passes A-labels through unchecked; a genuine one decodes and encodes back.
    const unicode = domainToUnicode(label);
    if (unicode === '' || unicode === label || domainToASCII(unicode) !== label) {
      throw new InvalidDomainName('idna', `${named} is not a valid IDNA A-label`, label);
    }
  }
  if (label.startsWith('-') || label.endsWith('-')) {
    throw new InvalidDomainName('hyphen-position', `${named} starts or ends with a hyphen`, label);
  }
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    throw new InvalidDomainName(
      'hyphen-position',
      `${named} has '--' in positions 3 and 4, which only IDNA 'xn--' labels may have`,
      label,
    );
  }
}

function invalidCharacter(label: string, char: string, shown: string): InvalidDomainName {
  const why =
    char === '_'
      ? ' (underscore names such as _dmarc are DNS records, not hosts)'
      : '; a host name has letters, digits and hyphens only';
  return new InvalidDomainName(
    'invalid-character',
    `label ${show(label)} of ${shown} contains ${describe(char)}${why}`,
    label,
  );
}

function numericTld(tld: string, shown: string): InvalidDomainName {
  return new InvalidDomainName(
    'numeric-tld',
    `top-level label ${show(tld)} of ${shown} is numeric; no top-level domain is`,
    tld,
  );
}

/** Quotes user text for a message: escaped, and cut short so a hostile input cannot flood logs. */
function show(text: string): string {
  // Invisible format characters (joiners, bidi overrides) are escaped too, so the message shows them.
  const escaped = JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, escapeCodePoint);
  if (escaped.length <= 80) return `"${escaped}"`;
  // Cut on the escaped form (a control character grows sixfold), never inside an escape or a pair.
  const cut = escaped
    .slice(0, 77)
    .replace(/\\(u(\{[0-9a-f]*|[0-9a-fA-F]{0,3}))?$/, '')
    .replace(/[\uD800-\uDBFF]$/, '');
  return `"${cut}..."`;
}

function escapeCodePoint(char: string): string {
  const hex = (char.codePointAt(0) ?? 0).toString(16);
  return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code < 0x20 || code === 0x7f ? hex : `${JSON.stringify(char)} (${hex})`;
}
