import type { FindingDefinition } from '../common/check-report';

const RFC4033 = 'RFC 4033: DNS Security Introduction and Requirements';
const RFC4035 = 'RFC 4035: Protocol Modifications for the DNS Security Extensions';
const RFC8624 = 'RFC 8624: Algorithm Implementation Requirements and Usage Guidance for DNSSEC';
const INTERNET_NL = 'internet.nl: DNSSEC existence and validity tests';

/** The DNSSEC check's findings, by id. */
export const DnssecFindings: Record<string, FindingDefinition> = {
  'dnssec.validated': {
    id: 'dnssec.validated',
    severity: 'pass',
    title: 'DNSSEC: signed and validated',
    explanation:
      'A validating resolver authenticated the answers for this domain (AD flag): the zone is signed and the chain of trust from the parent, through the DS record, is intact. Resolvers that validate can detect forged answers.',
    references: [RFC4033, RFC4035, INTERNET_NL],
  },
  'dnssec.unsigned': {
    id: 'dnssec.unsigned',
    severity: 'warning',
    title: 'DNSSEC: zone not signed',
    explanation:
      'The zone publishes no DNSKEY and its parent no DS: answers for this domain cannot be authenticated, so a resolver cannot tell a forged answer (cache poisoning, on-path tampering) from a real one. DANE for mail also needs DNSSEC.',
    fix: 'Enable DNSSEC signing at your DNS host, then publish the DS record it gives you at your registrar.',
    references: [RFC4033, INTERNET_NL],
  },
  'dnssec.signed-not-validated': {
    id: 'dnssec.signed-not-validated',
    severity: 'warning',
    title: 'DNSSEC: signed, but not validated',
    explanation:
      'The zone publishes DNSKEY records, but the validating resolver did not authenticate its answers. Usually the parent has no DS record for the zone (an island of security that nobody can validate); otherwise the resolver asked does not validate.',
    fix: 'Publish the DS record for the zone’s key-signing key at your registrar (the parent zone). If it is there, scan through a validating resolver.',
    references: [RFC4035, INTERNET_NL],
  },
  'dnssec.bogus': {
    id: 'dnssec.bogus',
    severity: 'fail',
    title: 'DNSSEC: validation fails (bogus)',
    explanation:
      'The validating resolver refused the answers (SERVFAIL), yet gave them when asked with checking disabled (CD): the signatures or the chain of trust are broken. Every user behind a validating resolver sees this domain as unreachable.',
    fix: 'Check the signatures (expired or missing RRSIGs) and that the DS at the parent matches a current DNSKEY; re-sign the zone or update or remove the DS.',
    references: [RFC4035, INTERNET_NL],
  },
  'dnssec.ds-without-dnskey': {
    id: 'dnssec.ds-without-dnskey',
    severity: 'fail',
    title: 'DNSSEC: DS at the parent, but no DNSKEY in the zone',
    explanation:
      'The parent says the zone is signed (DS record), but the zone publishes no DNSKEY: the chain of trust is broken and validating resolvers reject every answer from the zone.',
    fix: 'Either re-enable signing so the zone publishes the key the DS refers to, or remove the DS record at the registrar (and wait for its TTL) before turning signing off.',
    references: [RFC4035, 'RFC 6781: DNSSEC Operational Practices, Version 2 (§4.3.5)'],
  },
  'dnssec.ds-mismatch': {
    id: 'dnssec.ds-mismatch',
    severity: 'fail',
    title: 'DNSSEC: no DS matches a DNSKEY',
    explanation:
      'The parent publishes DS records, but none of them is the digest of a DNSKEY the zone publishes (usually a key rollover where the DS was not updated): the chain of trust is broken.',
    fix: 'Publish at the registrar the DS record of the zone’s current key-signing key, and remove the stale one.',
    references: [RFC4035, 'RFC 4034: Resource Records for the DNS Security Extensions (§5)'],
  },
  'dnssec.deprecated-algorithm': {
    id: 'dnssec.deprecated-algorithm',
    severity: 'warning',
    title: 'DNSSEC: deprecated signing algorithm',
    explanation:
      'The zone is signed with an algorithm RFC 8624 says must not or should not be used for signing (RSA/MD5, DSA, RSA with SHA-1, GOST). Validators increasingly treat such zones as unsigned.',
    fix: 'Roll the zone over to ECDSAP256SHA256 (13) or ED25519 (15), or at least RSASHA256 (8).',
    references: [RFC8624],
  },
  'dnssec.deprecated-ds-digest': {
    id: 'dnssec.deprecated-ds-digest',
    severity: 'warning',
    title: 'DNSSEC: DS with a deprecated digest type',
    explanation:
      'The parent publishes a DS record whose digest is SHA-1 or GOST; RFC 8624 says DS records must not be created with them.',
    fix: 'Publish a SHA-256 (digest type 2) DS record at the registrar and remove the SHA-1 one.',
    references: [RFC8624],
  },
};
