import type { FindingDefinition } from '../common/check-report';

const RFC9989 = 'RFC 9989';
const RFC9990 = 'RFC 9990';
const TREE_WALK = 'RFC 9989 §4.10';

const definitions: FindingDefinition[] = [
  // Discovery
  {
    id: 'dmarc.record-found',
    severity: 'pass',
    title: 'DMARC record published',
    explanation:
      'A DMARC record applies to the domain, so receivers check that mail using it in the From header is authenticated (SPF or DKIM, aligned) and apply its policy.',
    references: [RFC9989, 'RFC 7489 §6.1'],
  },
  {
    id: 'dmarc.missing',
    severity: 'fail',
    title: 'No DMARC record',
    explanation:
      'Neither the domain nor its organisational domain publishes a DMARC record. Receivers apply no DMARC policy, so anyone can send mail with this domain in the From header, and the owner gets no reports about who does.',
    fix: 'Publish a TXT record at _dmarc.<domain>, starting with "v=DMARC1; p=none; rua=mailto:<a mailbox you read>", read the reports, then move to p=quarantine and p=reject.',
    references: [RFC9989, 'RFC 7489 §6.1', 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.policy-inherited',
    severity: 'info',
    title: 'Policy inherited from a parent domain',
    explanation:
      'The domain has no DMARC record of its own. Receivers use the record of its organisational domain (or public suffix domain), applying its sp tag to existing subdomains and its np tag to non-existent ones (both default to p).',
    fix: 'Nothing to do if the parent’s sp/np policy is what you want; otherwise publish a record at _dmarc.<domain>.',
    references: [TREE_WALK, 'RFC 7489 §6.6.3'],
  },
  {
    id: 'dmarc.multiple-records',
    severity: 'fail',
    title: 'Several DMARC records at one name',
    explanation:
      'More than one TXT record starting with v=DMARC1 is published at the same _dmarc name. Receivers discard all of them: RFC 7489 receivers then apply no policy, RFC 9989 receivers carry on up the tree and may find a parent’s policy instead.',
    fix: 'Merge them into a single DMARC record and delete the others.',
    references: [TREE_WALK, 'RFC 7489 §6.6.3'],
  },
  {
    id: 'dmarc.spf-at-dmarc',
    severity: 'warning',
    title: 'SPF record published at _dmarc',
    explanation:
      'An SPF record (v=spf1) is published at the _dmarc name, where receivers never look for SPF. It is usually a DMARC or SPF record put in the wrong place.',
    fix: 'Move the SPF record to the domain itself and publish the DMARC record at _dmarc.',
    references: ['RFC 7208 §3', RFC9989],
  },
  {
    id: 'dmarc.non-dmarc-txt',
    severity: 'info',
    title: 'Other TXT records at _dmarc',
    explanation:
      'The _dmarc name holds TXT records that are not DMARC records. Receivers ignore them, but they make the answer larger and often mean a record was published at the wrong name.',
    fix: 'Remove TXT records that do not belong at _dmarc.',
    references: [RFC9989],
  },
  {
    id: 'dmarc.cname',
    severity: 'info',
    title: '_dmarc is a CNAME',
    explanation:
      'The _dmarc name is an alias (CNAME) to another name, typically one managed by a DMARC service. Receivers follow it, so the policy is whatever the target publishes; if the target has no record, the domain has none.',
    fix: 'Make sure you control (or trust) the target and that it resolves to a valid DMARC record.',
    references: ['RFC 1034 §3.6.2', RFC9989],
  },
  {
    id: 'dmarc.intermediate-record-ignored',
    severity: 'info',
    title: 'A record between the domain and its organisational domain is not used',
    explanation:
      'The DNS tree walk found a DMARC record at a name between the domain and its organisational domain. Policy comes only from the domain itself, its organisational domain or its public suffix domain, so this record does not apply to the domain (unless it declares psd=n, making its name an organisational domain).',
    fix: 'Publish a record at the domain itself, or add psd=n to the intermediate record if that name should be the organisational domain for its subtree.',
    references: [TREE_WALK],
  },
  {
    id: 'dmarc.psd-policy',
    severity: 'info',
    title: 'Policy comes from a public suffix domain',
    explanation:
      'The domain has no DMARC record and neither does its organisational domain; the policy receivers apply comes from a record marked psd=y, published by the operator of a public suffix.',
    fix: 'Publish your own DMARC record so that your policy and your reporting addresses apply.',
    references: [TREE_WALK, 'RFC 9091'],
  },
  {
    id: 'dmarc.psd-declared',
    severity: 'info',
    title: 'The domain declares itself a public suffix domain',
    explanation:
      'The record carries psd=y: receivers treat the domain as a public suffix, so each of its subdomains is an organisational domain of its own, and its policy reaches only subdomains that publish nothing.',
    fix: 'Remove psd=y unless you operate a public suffix (a registry).',
    references: [TREE_WALK],
  },
  {
    id: 'dmarc.discovery-differs',
    severity: 'info',
    title: 'RFC 7489 and RFC 9989 receivers find different policies',
    explanation:
      'RFC 7489 receivers look for the record at the domain and then at its organisational domain from the Public Suffix List; RFC 9989 receivers walk the DNS tree and honour psd tags. For this domain the two methods land on different records (or one finds none), and both kinds of receivers are in use.',
    fix: 'Publish a record at the domain itself: both methods use it first.',
    references: [TREE_WALK, 'RFC 7489 §6.6.3'],
  },

  // The record itself
  {
    id: 'dmarc.syntax-valid',
    severity: 'pass',
    title: 'Record syntax is valid',
    explanation:
      'The record starts with v=DMARC1, every tag is known, written once and has a valid value.',
    references: [RFC9989, 'RFC 7489 §6.4'],
  },
  {
    id: 'dmarc.invalid-version',
    severity: 'fail',
    title: 'Invalid or missing v=DMARC1',
    explanation:
      'A DMARC record must start with the tag v=DMARC1, exactly. Receivers ignore a record whose version is missing or wrong, often caused by a missing ";" after it.',
    fix: 'Start the record with "v=DMARC1;" and separate every tag with ";".',
    references: [RFC9989, 'RFC 7489 §6.4'],
  },
  {
    id: 'dmarc.version-not-first',
    severity: 'fail',
    title: 'v=DMARC1 is not the first tag',
    explanation:
      'The version tag must come first. Receivers ignore a TXT record that does not start with v=DMARC1, so the domain in effect has no DMARC record.',
    fix: 'Move "v=DMARC1;" to the start of the record.',
    references: [RFC9989, 'RFC 7489 §6.4'],
  },
  {
    id: 'dmarc.version-case',
    severity: 'warning',
    title: 'DMARC1 written in the wrong case',
    explanation:
      'The version value is case-sensitive and must read exactly DMARC1. Lenient receivers accept other spellings, strict ones ignore the whole record.',
    fix: 'Write "v=DMARC1".',
    references: [RFC9989],
  },
  {
    id: 'dmarc.syntax-error',
    severity: 'fail',
    title: 'Record syntax error',
    explanation:
      'Part of the record is not a tag=value pair (or the tag name is not letters only). The record is outside the DMARC grammar: receivers may ignore that part or the whole record.',
    fix: 'Write the record as tag=value pairs separated by ";", e.g. "v=DMARC1; p=reject; rua=mailto:dmarc@example.com".',
    references: [RFC9989, 'RFC 7489 §6.4', 'RFC 6376 §3.2'],
  },
  {
    id: 'dmarc.syntax-lenient',
    severity: 'info',
    title: 'Record syntax accepted by most receivers only',
    explanation:
      'The record has leading whitespace, an empty tag (";;") or tag names in capitals. Most receivers accept it, but it is outside the grammar.',
    fix: 'Remove the extra whitespace or ";", and write tag names in lowercase.',
    references: [RFC9989, 'RFC 6376 §3.2'],
  },
  {
    id: 'dmarc.duplicate-tag',
    severity: 'fail',
    title: 'Tag written more than once',
    explanation:
      'A tag appears twice. In the tag=value syntax DMARC inherits from DKIM that makes the whole record invalid, and receivers that accept it disagree on which value wins.',
    fix: 'Keep one occurrence of each tag.',
    references: ['RFC 6376 §3.2', RFC9989],
  },
  {
    id: 'dmarc.unknown-tag',
    severity: 'warning',
    title: 'Unknown tag',
    explanation:
      'The record has a tag DMARC does not define. Receivers ignore it; it is usually a typo of a real tag, whose setting then does not take effect.',
    fix: 'Correct the tag name or remove it.',
    references: [RFC9989, 'RFC 7489 §6.3'],
  },
  {
    id: 'dmarc.invalid-value',
    severity: 'warning',
    title: 'Invalid tag value',
    explanation:
      'A tag has a value outside what DMARC allows. Receivers discard it and use the default, which may not be what was intended.',
    fix: 'Use one of the values the tag allows (adkim/aspf: r or s; t: y or n; psd: y, n or u; fo: 0, 1, d, s; pct: 0-100; ri: seconds).',
    references: [RFC9989, 'RFC 7489 §6.3'],
  },
  {
    id: 'dmarc.invalid-policy-value',
    severity: 'fail',
    title: 'Invalid policy value',
    explanation:
      'p, sp or np has a value other than none, quarantine or reject. Receivers then treat the record as p=none if it has a valid rua address, and ignore it otherwise.',
    fix: 'Set p (and sp, np if used) to none, quarantine or reject.',
    references: [TREE_WALK, 'RFC 7489 §6.6.3'],
  },
  {
    id: 'dmarc.p-missing',
    severity: 'fail',
    title: 'No policy (p) tag',
    explanation:
      'The record has no p tag. Receivers treat it as p=none if it has a valid rua address and ignore it otherwise: either way nothing is quarantined or rejected.',
    fix: 'Add "p=none" (monitoring), "p=quarantine" or "p=reject" right after v=DMARC1.',
    references: [TREE_WALK, 'RFC 7489 §6.6.3'],
  },
  {
    id: 'dmarc.removed-tag',
    severity: 'info',
    title: 'Tag removed by RFC 9989',
    explanation:
      'pct, rf and ri were removed by RFC 9989: current receivers ignore them, while RFC 7489 receivers still act on them. pct is replaced by the t (testing) tag.',
    fix: 'Remove the tag; use t=y instead of pct below 100 while testing a policy.',
    references: [RFC9989, 'RFC 7489 §6.3'],
  },

  // Policy strength
  {
    id: 'dmarc.policy-reject',
    severity: 'pass',
    title: 'Policy: reject',
    explanation:
      'Receivers are asked to reject mail that fails DMARC: the strongest protection against spoofing of the domain.',
    references: [RFC9989, 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.policy-quarantine',
    severity: 'pass',
    title: 'Policy: quarantine',
    explanation:
      'Receivers are asked to treat mail that fails DMARC as suspicious (usually the spam folder). It protects users; p=reject goes further by refusing such mail.',
    references: [RFC9989, 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.policy-none',
    severity: 'warning',
    title: 'Policy: none (monitoring only)',
    explanation:
      'p=none asks receivers to do nothing with mail that fails DMARC: it only produces reports. It is the right first step, not a protection.',
    fix: 'Once the reports show all legitimate mail passing, move to p=quarantine and then p=reject.',
    references: [RFC9989, 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.subdomain-policy-weaker',
    severity: 'warning',
    title: 'Subdomain policy weaker than the domain’s',
    explanation:
      'sp (existing subdomains) or np (non-existent subdomains) is weaker than p, so attackers can spoof subdomains that the domain’s own policy would protect.',
    fix: 'Set sp and np at least as strong as p, or remove them (they default to p).',
    references: [RFC9989, 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.pct-partial',
    severity: 'warning',
    title: 'Policy applied to part of the mail (pct below 100)',
    explanation:
      'RFC 7489 receivers apply the policy only to the given percentage of failing mail and the next weaker policy to the rest. RFC 9989 removed pct, so current receivers apply the policy to all of it.',
    fix: 'Remove pct (or set it to 100); use t=y while testing.',
    references: ['RFC 7489 §6.3', RFC9989],
  },
  {
    id: 'dmarc.pct-zero',
    severity: 'warning',
    title: 'Policy applied to none of the mail (pct=0)',
    explanation:
      'With pct=0, RFC 7489 receivers apply the next weaker policy to all failing mail (reject becomes quarantine, quarantine becomes none). RFC 9989 receivers ignore pct and apply the policy in full.',
    fix: 'Remove pct; if you are testing, say so with t=y.',
    references: ['RFC 7489 §6.3', RFC9989],
  },
  {
    id: 'dmarc.pct-with-none',
    severity: 'info',
    title: 'pct with p=none',
    explanation: 'pct has no effect when the policy is none: there is nothing to apply partly.',
    fix: 'Remove pct.',
    references: ['RFC 7489 §6.3'],
  },
  {
    id: 'dmarc.testing-mode',
    severity: 'warning',
    title: 'Policy in testing mode (t=y)',
    explanation:
      't=y asks RFC 9989 receivers to apply one level less than the policy (reject becomes quarantine, quarantine becomes none) while the owner tests it.',
    fix: 'Remove t=y once the reports show legitimate mail passing.',
    references: [RFC9989],
  },
  {
    id: 'dmarc.fo-without-ruf',
    severity: 'info',
    title: 'fo without ruf',
    explanation:
      'fo chooses when failure reports are generated, but there is no ruf address to send them to, so receivers ignore it.',
    fix: 'Remove fo, or add a ruf address if you want failure reports.',
    references: [RFC9989, 'RFC 7489 §6.3'],
  },

  // Reporting
  {
    id: 'dmarc.rua-present',
    severity: 'pass',
    title: 'Aggregate reports requested',
    explanation:
      'The record has an rua address, so receivers send daily aggregate reports on the mail they saw using the domain: the way to find unauthenticated legitimate senders and abuse.',
    references: [RFC9990, RFC9989],
  },
  {
    id: 'dmarc.no-rua',
    severity: 'warning',
    title: 'No aggregate reports (no rua)',
    explanation:
      'Without a usable rua address receivers send no aggregate reports, so the owner cannot see who sends mail as the domain or whether moving to a stricter policy would block legitimate mail.',
    fix: 'Add rua=mailto:<a mailbox or DMARC report service you read>.',
    references: [RFC9990, RFC9989],
  },
  {
    id: 'dmarc.ruf-present',
    severity: 'info',
    title: 'Failure reports requested (ruf)',
    explanation:
      'Failure reports can contain message headers and content, including personal data of recipients; most large receivers do not send them at all, and those that do redact heavily. Sending them to a third party shares that data.',
    fix: 'Keep ruf only if you process the reports, preferably in your own mailbox.',
    references: ['RFC 7489 §7.3', RFC9989, 'NCSC Mail Check: DMARC'],
  },
  {
    id: 'dmarc.too-many-destinations',
    severity: 'warning',
    title: 'More than two report destinations',
    explanation:
      'rua or ruf lists more than two addresses. Receivers may limit how many they send to, so destinations after the second may get nothing.',
    fix: 'List at most two addresses per tag; forward internally if more people need the reports.',
    references: ['RFC 7489 §6.2', 'checkdmarc'],
  },
  {
    id: 'dmarc.non-mailto-uri',
    severity: 'warning',
    title: 'Report destination is not a mailto: URI',
    explanation:
      'Receivers are only required to support mailto: destinations and ignore schemes they do not support, so reports for this destination will probably never arrive.',
    fix: 'Use a mailto: address.',
    references: [RFC9989, 'RFC 7489 §6.2'],
  },
  {
    id: 'dmarc.invalid-uri',
    severity: 'warning',
    title: 'Invalid report destination',
    explanation:
      'An rua or ruf entry is not a valid URI (often an address without "mailto:", or a bad size limit). Receivers skip it.',
    fix: 'Write each destination as mailto:local@domain, separated by commas.',
    references: [RFC9989, 'RFC 7489 §6.2', 'RFC 6068'],
  },
  {
    id: 'dmarc.uri-size-limit',
    severity: 'info',
    title: 'Report size limit (RFC 7489 syntax)',
    explanation:
      'A destination has a size limit ("!10m"). RFC 7489 defined it; RFC 9989 dropped it and requires "!" in URIs to be percent-encoded, so current receivers may read it as part of the address.',
    fix: 'Remove the size limit.',
    references: ['RFC 7489 §6.2', RFC9989],
  },
  {
    id: 'dmarc.external-destination-authorised',
    severity: 'pass',
    title: 'External report destination authorised',
    explanation:
      'Reports go to a domain outside the organisation, and that domain publishes the <domain>._report._dmarc record that authorises it to receive them.',
    references: [RFC9990, 'RFC 7489 §7.1'],
  },
  {
    id: 'dmarc.external-destination-unauthorised',
    severity: 'warning',
    title: 'External report destination not authorised',
    explanation:
      'Reports go to a domain outside the organisation, but that domain publishes no v=DMARC1 record at <domain>._report._dmarc.<destination>. Receivers check for it and send nothing to unauthorised destinations.',
    fix: 'Ask the destination (e.g. your DMARC report provider) to publish "v=DMARC1" at <your domain>._report._dmarc.<their domain>, or at *._report._dmarc.<their domain>.',
    references: [RFC9990, 'RFC 7489 §7.1'],
  },
  {
    id: 'dmarc.destination-accepts-mail',
    severity: 'pass',
    title: 'Report destination domains accept mail',
    explanation: 'Every mailto: destination’s domain has MX records (or an address, implicit MX).',
    references: ['RFC 5321 §5.1', 'checkdmarc'],
  },
  {
    id: 'dmarc.destination-no-mx',
    severity: 'warning',
    title: 'Report destination cannot receive mail',
    explanation:
      'A mailto: destination’s domain has no MX record and no address (or a null MX), so reports sent there bounce.',
    fix: 'Use a destination whose domain receives mail, or publish MX records for it.',
    references: ['RFC 5321 §5.1', 'RFC 7505', 'checkdmarc'],
  },
];

/** The DMARC check's catalogue, by finding id. */
export const DmarcFindings: Record<string, FindingDefinition> = Object.fromEntries(
  definitions.map((d) => [d.id, d]),
);
