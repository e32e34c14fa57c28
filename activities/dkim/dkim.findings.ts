import type { FindingDefinition } from '../common/check-report';

const RFC6376 = 'RFC 6376: DomainKeys Identified Mail (DKIM) Signatures';
const RFC8301 = 'RFC 8301: Cryptographic Algorithm and Key Usage Update to DKIM';
const RFC8463 = 'RFC 8463: A New Cryptographic Signature Method for DKIM (Ed25519)';
const CCCS = 'Canadian Centre for Cyber Security ITSP.40.062: email domain protection (DKIM)';
const NCSC = 'NCSC (UK): email security and anti-spoofing, DKIM';

/** The DKIM check's findings, by id. */
export const DkimFindings: Record<string, FindingDefinition> = {
  'dkim.rsa-key-4096': {
    id: 'dkim.rsa-key-4096',
    severity: 'pass',
    title: 'DKIM: RSA key of 4096 bits or more',
    explanation:
      'The selector publishes an RSA key of at least 4096 bits: very strong. RFC 8301 requires verifiers to handle keys up to 4096 bits; larger ones may not verify everywhere.',
    references: [RFC8301, CCCS],
  },
  'dkim.rsa-key-2048': {
    id: 'dkim.rsa-key-2048',
    severity: 'pass',
    title: 'DKIM: RSA key of 2048 bits',
    explanation:
      'The selector publishes an RSA key of 2048 bits (or more, under 4096): the recommended size.',
    references: [RFC8301, CCCS],
  },
  'dkim.rsa-key-1024': {
    id: 'dkim.rsa-key-1024',
    severity: 'warning',
    title: 'DKIM: RSA key shorter than 2048 bits',
    explanation:
      'The selector publishes an RSA key of 1024 bits (or between 1024 and 2048). RFC 8301 sets 1024 bits as the minimum and 2048 as the recommendation; 1024-bit RSA is within reach of well-funded attackers, who could then sign mail as the domain.',
    fix: 'Generate a 2048-bit key, publish it under a new selector, switch signing to it, then revoke the old selector (empty p=).',
    references: [RFC8301, CCCS, NCSC],
  },
  'dkim.rsa-key-too-short': {
    id: 'dkim.rsa-key-too-short',
    severity: 'fail',
    title: 'DKIM: RSA key shorter than 1024 bits',
    explanation:
      'The selector publishes an RSA key below 1024 bits. RFC 8301 says verifiers must not accept signatures with such keys, and they can be factored: anyone could sign mail as the domain.',
    fix: 'Generate a 2048-bit key, publish it under a new selector, switch signing to it, and revoke this selector (empty p=).',
    references: [RFC8301, CCCS],
  },
  'dkim.ed25519-key': {
    id: 'dkim.ed25519-key',
    severity: 'pass',
    title: 'DKIM: Ed25519 key',
    explanation:
      'The selector publishes an Ed25519 key (RFC 8463): strong and compact. Many verifiers do not support Ed25519 yet, so a domain should also sign with an RSA key (dual signing).',
    references: [RFC8463],
  },
  'dkim.key-revoked': {
    id: 'dkim.key-revoked',
    severity: 'info',
    title: 'DKIM: revoked key (empty p=)',
    explanation:
      'The selector publishes a key record with an empty p= tag: the key has been revoked, and signatures made with it fail. This is the right way to retire a selector.',
    fix: 'Nothing, if the selector was retired on purpose. If mail is still signed with it, switch signing to an active selector.',
    references: [RFC6376],
  },
  'dkim.testing-mode': {
    id: 'dkim.testing-mode',
    severity: 'warning',
    title: 'DKIM: key in testing mode (t=y)',
    explanation:
      'The key record carries t=y: the domain says it is testing DKIM, and verifiers must not treat signed mail differently from unsigned mail. DKIM then gives the domain no protection.',
    fix: 'Once signing works, remove the y flag from the t= tag.',
    references: [RFC6376],
  },
  'dkim.invalid-record': {
    id: 'dkim.invalid-record',
    severity: 'fail',
    title: 'DKIM: invalid key record',
    explanation:
      'The TXT record at the selector is not a valid DKIM key record (malformed tag list, duplicate tags, wrong version, unknown key type or no p= tag): verifiers ignore it, and signatures with this selector fail.',
    fix: 'Republish the record as given by your mail provider: `v=DKIM1; k=rsa; p=<base64 key>`.',
    references: [RFC6376],
  },
  'dkim.invalid-key': {
    id: 'dkim.invalid-key',
    severity: 'fail',
    title: 'DKIM: public key cannot be decoded',
    explanation:
      'The p= tag does not hold a usable public key (not base64, truncated, or not the key type k= names): signatures with this selector fail.',
    fix: 'Republish the public key exactly as your signing system exports it (a base64 SubjectPublicKeyInfo for RSA, 32 raw bytes for Ed25519), checking it was not cut when split into strings.',
    references: [RFC6376, RFC8463],
  },
  'dkim.sha1-only': {
    id: 'dkim.sha1-only',
    severity: 'fail',
    title: 'DKIM: key restricted to SHA-1',
    explanation:
      'The h= tag allows only SHA-1 with this key. RFC 8301 says verifiers must not accept rsa-sha1 signatures, so nothing signed with this key verifies.',
    fix: 'Remove the h= tag (or set h=sha256) and sign with rsa-sha256.',
    references: [RFC8301],
  },
  'dkim.not-for-email': {
    id: 'dkim.not-for-email',
    severity: 'fail',
    title: 'DKIM: key not valid for email',
    explanation:
      'The s= tag lists service types that do not include email (or *): verifiers must not use this key for mail.',
    fix: 'Remove the s= tag, or set s=email.',
    references: [RFC6376],
  },
  'dkim.multiple-records': {
    id: 'dkim.multiple-records',
    severity: 'warning',
    title: 'DKIM: several key records at one selector',
    explanation:
      'The selector has more than one DKIM key record. RFC 6376 leaves it to each verifier which one to use, so signatures may fail at random.',
    fix: 'Publish one key record per selector; use a new selector for a new key.',
    references: [RFC6376],
  },
  'dkim.duplicate-key': {
    id: 'dkim.duplicate-key',
    severity: 'info',
    title: 'DKIM: same key under several selectors',
    explanation:
      'Several selectors publish the same public key. That is legitimate, but it means one private key signs for several services: a leak at one of them compromises all, and the key cannot be rotated for one service alone.',
    fix: 'Give each sending service its own key pair and selector.',
    references: [RFC6376, 'RFC 6376 §3.1 (selectors allow separate keys per signer)'],
  },
  'dkim.no-usable-key': {
    id: 'dkim.no-usable-key',
    severity: 'warning',
    title: 'DKIM: no usable key among those found',
    explanation:
      'Key records were found, but every one is revoked, invalid or unusable for email: mail from the domain cannot carry a valid DKIM signature with these selectors.',
    fix: 'Publish an active 2048-bit RSA key under the selector your mail system signs with.',
    references: [RFC6376, CCCS],
  },
  'dkim.no-selector-found': {
    id: 'dkim.no-selector-found',
    severity: 'warning',
    title: 'DKIM: no key found among known selectors',
    explanation:
      'None of the selectors asked has a DKIM key. DNS cannot list selectors, so this does not prove the domain has no DKIM key: it may use a selector outside the list. If it has none, receivers cannot authenticate its mail with DKIM, and DMARC rests on SPF alone (which breaks on forwarding).',
    fix: 'Enable DKIM signing with your mail provider and publish its key; or tell the scan which selectors the domain uses.',
    references: [RFC6376, CCCS, NCSC],
  },
};
