import type { FindingDefinition } from '../common/check-report';

const RFC8659 = 'RFC 8659: DNS Certification Authority Authorization (CAA) Resource Record';
const CABF = 'CA/Browser Forum Baseline Requirements §3.2.2.8 (CAA records processing)';
const INTERNET_NL = 'internet.nl: CAA test';

/** The CAA check's findings, by id. */
export const CaaFindings: Record<string, FindingDefinition> = {
  'caa.restricted': {
    id: 'caa.restricted',
    severity: 'pass',
    title: 'CAA: certificate issuance restricted',
    explanation:
      'A CAA record names the certificate authorities allowed to issue certificates for the domain. Every public CA must check it before issuing, so a mis-issued certificate from another CA is much less likely.',
    references: [RFC8659, CABF, INTERNET_NL],
  },
  'caa.missing': {
    id: 'caa.missing',
    severity: 'info',
    title: 'CAA: no CAA record, any CA may issue',
    explanation:
      'Neither the domain nor its parents up to the registrable domain publish CAA: any public certificate authority may issue certificates for it.',
    fix: 'Publish CAA records naming the CAs you use, e.g. `0 issue "letsencrypt.org"`, and an iodef address for reports.',
    references: [RFC8659, INTERNET_NL],
  },
  'caa.inherited': {
    id: 'caa.inherited',
    severity: 'info',
    title: 'CAA: policy inherited from a parent domain',
    explanation:
      'The name has no CAA records of its own; CAs apply the closest ancestor’s (RFC 8659 §3 tree climbing). Changes belong at that ancestor, or the name needs its own CAA records.',
    fix: 'Nothing, if the parent’s policy fits this name. Otherwise publish CAA records at the name itself.',
    references: [RFC8659],
  },
  'caa.deny-all': {
    id: 'caa.deny-all',
    severity: 'info',
    title: 'CAA: no CA may issue',
    explanation:
      'The CAA records name no CA (`issue ";"`): no public CA may issue certificates for the domain. Right for a domain that serves nothing over TLS; otherwise certificate renewals will fail.',
    fix: 'If the domain needs certificates, replace `issue ";"` with the CAs you use.',
    references: [RFC8659],
  },
  'caa.issue-unrestricted': {
    id: 'caa.issue-unrestricted',
    severity: 'warning',
    title: 'CAA: records present, but no issue property',
    explanation:
      'The CAA records have no `issue` property (only issuewild, iodef or others): any CA may still issue non-wildcard certificates.',
    fix: 'Add `0 issue "<ca-domain>"` for each CA you use (or `0 issue ";"` if none should issue).',
    references: [RFC8659],
  },
  'caa.critical-unknown-tag': {
    id: 'caa.critical-unknown-tag',
    severity: 'fail',
    title: 'CAA: critical property with an unknown tag',
    explanation:
      'A CAA record has the critical flag (128) on a tag CAs do not know. RFC 8659 §4.1 says a CA must then refuse to issue: no certificate can be obtained for the domain, renewals included.',
    fix: 'Remove the record, fix the tag’s spelling, or clear its critical flag (use 0).',
    references: [RFC8659, CABF],
  },
  'caa.unknown-tag': {
    id: 'caa.unknown-tag',
    severity: 'info',
    title: 'CAA: property with an unknown tag',
    explanation:
      'A CAA record uses a tag with no defined meaning (often a typo, such as `isue`); CAs ignore it, so it restricts nothing.',
    fix: 'Correct the tag (issue, issuewild, iodef) or remove the record.',
    references: [RFC8659],
  },
  'caa.invalid-issue-value': {
    id: 'caa.invalid-issue-value',
    severity: 'warning',
    title: 'CAA: malformed issue value',
    explanation:
      'An issue or issuewild value is not `<ca-domain> [; key=value]`. CAs treat a malformed value as naming no CA, so the CA you meant is not authorised by it.',
    fix: 'Write the value as the CA documents it, e.g. `letsencrypt.org` or `digicert.com; cansignhttpexchanges=yes`.',
    references: [RFC8659],
  },
  'caa.invalid-iodef': {
    id: 'caa.invalid-iodef',
    severity: 'warning',
    title: 'CAA: iodef is not a mailto: or http(s): URL',
    explanation:
      'The iodef property tells CAs where to report refused requests; it must be a mailto:, http: or https: URL (RFC 8659 §4.4). This one is not, so no report can reach you.',
    fix: 'Use e.g. `0 iodef "mailto:security@example.com"`.',
    references: [RFC8659],
  },
};
