import type { Finding, FindingDefinition } from '../common/check-report';

const RFC = 'RFC 7208';
const M3AAWG = 'M3AAWG Email Authentication Recommended Best Practices (2020)';
const NCSC = 'NCSC Mail Check: SPF guidance';

const catalogue = {
  'spf.valid': {
    id: 'spf.valid',
    severity: 'pass',
    title: 'SPF record is valid',
    explanation:
      'The domain publishes exactly one SPF record; it and every record it includes or redirects to parse without error and evaluate within the DNS lookup limits, so receivers can reach a verdict instead of a permanent error.',
    references: [`${RFC} §4.5`, `${RFC} §4.6`, `${RFC} §4.6.4`],
  },
  'spf.missing': {
    id: 'spf.missing',
    severity: 'fail',
    title: 'No SPF record',
    explanation:
      'No TXT record at the domain begins with "v=spf1". Receivers get the SPF result "none" and cannot tell legitimate servers from forgers using this domain in the envelope sender (MAIL FROM) or HELO. DMARC then rests on DKIM alone.',
    fix: 'Publish one TXT record at the domain listing the servers that send its mail and ending in "-all", e.g. "v=spf1 include:_spf.mail-provider.example -all". A domain that sends no mail at all should publish "v=spf1 -all".',
    references: [`${RFC} §4.5`, `${RFC} §2.6.1`, `${RFC} §10.1.2`, NCSC],
  },
  'spf.multiple-records': {
    id: 'spf.multiple-records',
    severity: 'fail',
    title: 'Several SPF records at one name',
    explanation:
      'More than one TXT record at the same name begins with "v=spf1". RFC 7208 makes this a permanent error: receivers do not pick one, they return "permerror" for every message, so SPF authenticates nothing.',
    fix: 'Merge the records into one: keep a single "v=spf1 … -all" record combining the mechanisms of all of them, and delete the others.',
    references: [`${RFC} §4.5`, `${RFC} §3.2`],
  },
  'spf.malformed-version': {
    id: 'spf.malformed-version',
    severity: 'warning',
    title: 'TXT record looks like SPF but is not recognised as one',
    explanation:
      'A TXT record resembles an SPF record but does not begin with exactly "v=spf1" followed by a space or the end of the record (leading whitespace, capital letters, spaces around "=", a tab or punctuation after the version). Receivers select SPF records by that exact prefix, so this record is ignored or handled inconsistently.',
    fix: 'Rewrite the record so it starts with "v=spf1" in lower case, with no leading whitespace, followed by a single space and the mechanisms.',
    references: [`${RFC} §4.5`, `${RFC} §12`],
  },
  'spf.sender-id-record': {
    id: 'spf.sender-id-record',
    severity: 'info',
    title: 'Obsolete Sender ID record',
    explanation:
      'A TXT record begins with "spf2.0/", the format of Sender ID (RFC 4406), an experiment that was never widely deployed and is now historic. Receivers ignore it; it does not replace an SPF record.',
    fix: 'Delete the "spf2.0/…" record and keep (or publish) a "v=spf1" record instead.',
    references: ['RFC 4406', 'RFC 6686'],
  },
  'spf.txt-string-too-long': {
    id: 'spf.txt-string-too-long',
    severity: 'warning',
    title: 'TXT character-string longer than 255 bytes',
    explanation:
      'A single DNS character-string holds at most 255 bytes; longer SPF text must be split into several strings of one TXT record, which receivers join without adding spaces. A longer string cannot travel on the wire intact, so some DNS providers truncate or reject it.',
    fix: 'Split the record into strings of at most 255 bytes each, inside one TXT record ("v=spf1 … " "… -all"), ending each string with a space where two terms meet.',
    references: [`${RFC} §3.3`, 'RFC 1035 §3.3'],
  },
  'spf.record-too-large-for-udp': {
    id: 'spf.record-too-large-for-udp',
    severity: 'warning',
    title: 'TXT answer too large for a classic 512-byte UDP response',
    explanation:
      "The DNS answer to the domain's TXT query (the SPF record plus every other TXT record at the name) is larger than 512 bytes. Resolvers without EDNS receive a truncated answer and must retry over TCP; where TCP or large UDP packets are blocked, the SPF lookup fails and receivers get a temporary error.",
    fix: 'Shorten the SPF record (replace long lists of ip4/ip6 terms with an include on a subdomain, remove unused entries) and move unrelated TXT records such as old verification tokens off the apex.',
    references: [`${RFC} §3.4`, 'RFC 1035 §4.2.1', NCSC],
  },
  'spf.obsolete-spf-rr-type': {
    id: 'spf.obsolete-spf-rr-type',
    severity: 'info',
    title: 'Obsolete SPF resource record (type 99) published',
    explanation:
      'The domain publishes a DNS record of type SPF (99). RFC 7208 discontinued this type: receivers only read TXT records, so the type-99 record is ignored and can drift out of sync with the TXT record that matters.',
    fix: 'Delete the SPF-type record and keep the policy in the TXT record only.',
    references: [`${RFC} §3.1`, `${RFC} §14.1`],
  },
  'spf.syntax-error': {
    id: 'spf.syntax-error',
    severity: 'fail',
    title: 'SPF term with a syntax error',
    explanation:
      'A term of the record is not a valid mechanism or modifier (unknown mechanism name, missing or invalid domain, invalid address, stray character). Receivers reject the whole record with "permerror" on any syntax error, so SPF authenticates nothing.',
    fix: 'Correct the term named in the finding following RFC 7208 §5 and §6 (e.g. "ip4:192.0.2.1", "include:_spf.example.com", "a:mail.example.com/24"), or remove it.',
    references: [`${RFC} §4.6`, `${RFC} §5`, `${RFC} §6`, `${RFC} §12`],
  },
  'spf.invalid-macro': {
    id: 'spf.invalid-macro',
    severity: 'fail',
    title: 'Invalid SPF macro',
    explanation:
      'A "%" in the record does not start a valid macro. A macro is "%{" + one of the letters s l o d i p h v (c r t only in explanation text) + an optional number of at least 1 + an optional "r" + optional delimiters ". - + , / _ =" + "}"; "%%", "%_" and "%-" stand for a percent sign, a space and "%20". Anything else is a syntax error and a permerror.',
    fix: 'Correct the macro named in the finding, or write "%%" where a literal percent sign is meant.',
    references: [`${RFC} §7.1`, `${RFC} §7.2`, `${RFC} §7.3`],
  },
  'spf.macro-in-ip': {
    id: 'spf.macro-in-ip',
    severity: 'fail',
    title: 'Macro in an ip4 or ip6 mechanism',
    explanation:
      'ip4 and ip6 take a literal address; macros are allowed only in domain specifications. A macro there is a syntax error, and receivers return permerror for the whole record.',
    fix: 'Replace the macro with the literal network (e.g. "ip4:192.0.2.0/24"), or use "exists:%{i}._spf.example.com" if a per-address DNS check is what was intended.',
    references: [`${RFC} §5.6`, `${RFC} §12`],
  },
  'spf.invalid-cidr': {
    id: 'spf.invalid-cidr',
    severity: 'fail',
    title: 'Invalid CIDR prefix length',
    explanation:
      'A prefix length is out of range or badly written: ip4 and the IPv4 part of a/mx accept /0 to /32, ip6 and the IPv6 part ("//") accept /0 to /128, written without leading zeros. An invalid length is a syntax error and a permerror.',
    fix: 'Write a valid prefix length, e.g. "ip4:192.0.2.0/24", "ip6:2001:db8::/32", "a/24//64".',
    references: [`${RFC} §5.6`, `${RFC} §12`],
  },
  'spf.unknown-modifier': {
    id: 'spf.unknown-modifier',
    severity: 'info',
    title: 'Unknown modifier',
    explanation:
      'The record contains a "name=value" modifier other than redirect and exp. Receivers ignore unknown modifiers, so it has no effect; it may be a leftover or a typo.',
    fix: 'Remove the modifier unless a specific receiver is known to use it.',
    references: [`${RFC} §6`, `${RFC} §4.6.1`],
  },
  'spf.mechanism-written-as-modifier': {
    id: 'spf.mechanism-written-as-modifier',
    severity: 'warning',
    title: 'Mechanism written with "=" instead of ":"',
    explanation:
      'A term like "include=…" or "ip4=…" is read as an unknown modifier, which receivers ignore: the servers it was meant to authorise are not authorised, and their mail fails SPF.',
    fix: 'Write the mechanism with a colon, e.g. "include:_spf.example.com" or "ip4:192.0.2.0/24".',
    references: [`${RFC} §5`, `${RFC} §6`],
  },
  'spf.duplicate-modifier': {
    id: 'spf.duplicate-modifier',
    severity: 'fail',
    title: 'redirect or exp appears more than once',
    explanation:
      'The redirect and exp modifiers may each appear at most once in a record. A second occurrence is a permanent error for the whole record.',
    fix: 'Keep a single redirect= and a single exp= modifier.',
    references: [`${RFC} §6`],
  },
  'spf.redirect': {
    id: 'spf.redirect',
    severity: 'info',
    title: 'SPF policy delegated with redirect',
    explanation:
      "The record hands its policy to another domain with redirect=: when no mechanism of this record matches, the other domain's record decides, including its all mechanism. That record is evaluated and reported here as part of this domain.",
    fix: 'Nothing to change if the target is yours or your provider\'s: keep it maintained and ending in "-all", since it decides for this domain.',
    references: [`${RFC} §6.1`],
  },
  'spf.redirect-ignored': {
    id: 'spf.redirect-ignored',
    severity: 'warning',
    title: 'redirect ignored because the record has an all mechanism',
    explanation:
      'A record that contains "all" never uses its redirect= modifier: "all" always matches first. The redirected policy, and any servers it lists, do not apply.',
    fix: 'Either remove "all" so the redirect target decides, or remove the redirect and list the servers in this record (e.g. with include:).',
    references: [`${RFC} §6.1`, `${RFC} §5.1`],
  },
  'spf.redirect-missing': {
    id: 'spf.redirect-missing',
    severity: 'fail',
    title: 'redirect target has no SPF record',
    explanation:
      'The redirect= modifier points to a domain without a usable SPF record (none, or several). RFC 7208 makes that a permanent error, so every message from this domain gets "permerror".',
    fix: 'Point redirect= at a domain that publishes exactly one SPF record, or replace the redirect with the mechanisms themselves.',
    references: [`${RFC} §6.1`],
  },
  'spf.include-missing': {
    id: 'spf.include-missing',
    severity: 'fail',
    title: 'include target has no SPF record',
    explanation:
      'An include: mechanism names a domain without a usable SPF record (none, or several). Unlike a missing address for a/mx, this is a permanent error for the whole evaluation: every message gets "permerror".',
    fix: 'Correct the include domain (check the provider documentation for its exact SPF name), or remove the include if the service is no longer used.',
    references: [`${RFC} §5.2`],
  },
  'spf.include-loop': {
    id: 'spf.include-loop',
    severity: 'fail',
    title: 'include or redirect loop',
    explanation:
      'Following include and redirect terms leads back to a record already being evaluated. Receivers follow the loop until they exceed the limit of 10 DNS lookups and return "permerror".',
    fix: 'Remove the include or redirect that points back up the chain.',
    references: [`${RFC} §4.6.4`, `${RFC} §5.2`],
  },
  'spf.duplicate-include': {
    id: 'spf.duplicate-include',
    severity: 'warning',
    title: 'Same record included more than once',
    explanation:
      'The same domain is included (or redirected to) more than once in the evaluation tree. Receivers evaluate it every time and count its DNS lookups every time, wasting the lookup budget without authorising anything new.',
    fix: 'Keep one include of the domain and remove the others (check what the included providers include themselves).',
    references: [`${RFC} §4.6.4`, M3AAWG],
  },
  'spf.terms-after-all': {
    id: 'spf.terms-after-all',
    severity: 'warning',
    title: 'Mechanisms after "all"',
    explanation:
      '"all" matches every sender, so evaluation stops there: mechanisms written after it are never evaluated and the servers they list are not authorised (a second "all" is never reached either).',
    fix: 'Move "all" to the end of the record; modifiers (redirect=, exp=) may stay anywhere.',
    references: [`${RFC} §5.1`, NCSC],
  },
  'spf.ptr-mechanism': {
    id: 'spf.ptr-mechanism',
    severity: 'warning',
    title: 'Deprecated ptr mechanism',
    explanation:
      'The ptr mechanism is slow, unreliable (it depends on reverse DNS the sender may not control) and places a heavy load on the .arpa name servers. RFC 7208 says it should not be published, and some large receivers ignore it, so servers authorised only through ptr may fail SPF.',
    fix: 'Replace ptr with ip4/ip6 ranges or a/mx mechanisms naming the sending hosts.',
    references: [`${RFC} §5.5`, NCSC],
  },
  'spf.exp-modifier': {
    id: 'spf.exp-modifier',
    severity: 'info',
    title: 'Explanation (exp=) modifier',
    explanation:
      'exp= names a TXT record whose text receivers may return to the sender when SPF fails. It costs no lookup during evaluation; it is rarely used and the text is shown to whoever sends the rejected mail.',
    fix: 'Keep the explanation text free of internal details, or remove exp= (receivers then use their own wording).',
    references: [`${RFC} §6.2`],
  },
  'spf.too-many-lookups': {
    id: 'spf.too-many-lookups',
    severity: 'fail',
    title: 'More than 10 DNS-querying terms',
    explanation:
      'Receivers may perform at most 10 DNS lookups for the include, a, mx, ptr and exists mechanisms and the redirect modifier, across the whole tree of included records. The 11th makes the result "permerror", which DMARC treats as an SPF failure; many receivers reject or junk such mail.',
    fix: 'Remove unused includes, replace a/mx of your own hosts with ip4/ip6 ranges, move rarely used senders to a subdomain with its own record, or ask providers for narrower include names. Flattening includes into ip4/ip6 helps only if the list is kept in sync with the providers.',
    references: [`${RFC} §4.6.4`, M3AAWG, NCSC],
  },
  'spf.lookups-at-limit': {
    id: 'spf.lookups-at-limit',
    severity: 'info',
    title: 'Exactly 10 DNS-querying terms',
    explanation:
      'The record uses all 10 lookups the receivers allow. It works, but any change by an included provider that adds one lookup turns the result into "permerror" without any change on your side.',
    fix: 'Free a lookup or two (remove unused includes, use ip4/ip6 for your own hosts) to leave headroom.',
    references: [`${RFC} §4.6.4`],
  },
  'spf.lookups-within-limit': {
    id: 'spf.lookups-within-limit',
    severity: 'pass',
    title: 'DNS lookups within the limit of 10',
    explanation:
      'Evaluating the record and everything it includes takes fewer than 10 DNS-querying terms, so receivers will not stop with "permerror".',
    references: [`${RFC} §4.6.4`],
  },
  'spf.too-many-void-lookups': {
    id: 'spf.too-many-void-lookups',
    severity: 'fail',
    title: 'More than 2 void lookups',
    explanation:
      'A void lookup is a DNS query made for a term that returns no records (NXDOMAIN or an empty answer). Receivers should allow at most two; the third makes the result "permerror". Void lookups usually point at hosts or providers that no longer exist.',
    fix: 'Remove or correct the terms whose names do not resolve (listed in the finding).',
    references: [`${RFC} §4.6.4`, `${RFC} §11.1`],
  },
  'spf.void-lookups': {
    id: 'spf.void-lookups',
    severity: 'warning',
    title: 'Terms pointing at names that do not resolve',
    explanation:
      'Some terms query names that return no records (void lookups). They authorise nothing, and receivers allow only two of them: one more and the record fails with "permerror".',
    fix: 'Remove or correct the terms whose names do not resolve (listed in the finding).',
    references: [`${RFC} §4.6.4`, `${RFC} §11.1`],
  },
  'spf.mx-too-many-hosts': {
    id: 'spf.mx-too-many-hosts',
    severity: 'fail',
    title: 'mx mechanism with more than 10 MX hosts',
    explanation:
      'Evaluating an mx mechanism must not require more than 10 address lookups; a domain with more than 10 MX records makes the mechanism, and the whole record, return "permerror".',
    fix: 'Replace the mx mechanism with ip4/ip6 ranges covering the mail servers, or reduce the MX set to at most 10 hosts.',
    references: [`${RFC} §4.6.4`, `${RFC} §5.4`],
  },
  'spf.mx-host-without-address': {
    id: 'spf.mx-host-without-address',
    severity: 'warning',
    title: 'MX host with no address',
    explanation:
      'An MX host named through an mx mechanism has neither an A nor an AAAA record, so it authorises nothing and costs a lookup for nothing.',
    fix: 'Correct or remove the MX record, or replace the mx mechanism with the actual sending addresses.',
    references: [`${RFC} §5.4`],
  },
  'spf.plus-all': {
    id: 'spf.plus-all',
    severity: 'fail',
    title: 'Record ends in +all: every server on the internet is authorised',
    explanation:
      '"+all" (or "all" with no qualifier) makes every sender pass SPF for this domain, which is the same as publishing no protection at all, and worse: forged mail gets an SPF pass, and with a relaxed SPF alignment it passes DMARC too.',
    fix: 'End the record with "-all" (or "~all" while you are still discovering senders).',
    references: [`${RFC} §5.1`, `${RFC} §4.6.2`, M3AAWG],
  },
  'spf.included-plus-all': {
    id: 'spf.included-plus-all',
    severity: 'fail',
    title: 'An included record authorises every server',
    explanation:
      'A record reached through include: ends in "+all", so the include matches every sender: every server on the internet passes SPF for this domain with the include\'s qualifier, whatever the top-level record says.',
    fix: 'Remove the include, or have the owner of the included record end it with "-all" or "~all".',
    references: [`${RFC} §5.2`, `${RFC} §5.1`],
  },
  'spf.neutral-all': {
    id: 'spf.neutral-all',
    severity: 'warning',
    title: 'Record ends in ?all (neutral)',
    explanation:
      '"?all" tells receivers to treat unlisted senders as if there were no SPF policy: forged mail is not marked, so the record only helps listed servers.',
    fix: 'End the record with "-all" once every legitimate sender is listed (or "~all" while still checking).',
    references: [`${RFC} §5.1`, `${RFC} §8.2`, NCSC],
  },
  'spf.soft-fail': {
    id: 'spf.soft-fail',
    severity: 'info',
    title: 'Record ends in ~all (soft fail)',
    explanation:
      '"~all" asks receivers to accept but mark mail from unlisted servers. With DMARC at p=quarantine or p=reject this is a common, reasonable choice (DMARC decides); without DMARC enforcement, "-all" protects more.',
    fix: 'Consider "-all" once every legitimate sender is listed, especially if DMARC is not enforced.',
    references: [`${RFC} §5.1`, `${RFC} §8.5`, M3AAWG],
  },
  'spf.hard-fail': {
    id: 'spf.hard-fail',
    severity: 'pass',
    title: 'Record ends in -all (hard fail)',
    explanation:
      '"-all" tells receivers that servers not listed are not allowed to send for this domain.',
    references: [`${RFC} §5.1`, `${RFC} §8.4`, NCSC],
  },
  'spf.missing-all': {
    id: 'spf.missing-all',
    severity: 'warning',
    title: 'No all mechanism and no redirect',
    explanation:
      'The record does not end with an "all" mechanism and has no redirect=, so mail from unlisted servers gets the default result "neutral": forged mail is not marked.',
    fix: 'End the record with "-all" (or "~all" while you are still discovering senders).',
    references: [`${RFC} §4.7`, `${RFC} §5.1`, NCSC],
  },
  'spf.overly-broad-network': {
    id: 'spf.overly-broad-network',
    severity: 'fail',
    title: 'Network range so wide it authorises much of the internet',
    explanation:
      'An ip4 network wider than /8 or an ip6 network wider than /16 (or an a/mx prefix as wide) authorises millions of addresses no single organisation sends from; anyone with a server in that range can send as this domain and pass SPF.',
    fix: 'List the actual sending addresses or the provider include instead of a wide range.',
    references: [`${RFC} §5.6`, M3AAWG],
  },
} satisfies Record<string, FindingDefinition>;

export type SpfFindingId = keyof typeof catalogue;

/** Every finding the SPF engine can emit, by stable id. */
export const SpfFindings: Record<string, FindingDefinition> = catalogue;

/** A finding of the catalogue: the id's severity, this domain's message and evidence. */
export function spfFinding(
  id: SpfFindingId,
  message: string,
  evidence?: Record<string, unknown>,
): Finding {
  const { severity } = catalogue[id];
  return evidence === undefined ? { id, severity, message } : { id, severity, message, evidence };
}
