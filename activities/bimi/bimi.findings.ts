import type { FindingDefinition } from '../common/check-report';

const BIMI_DRAFT =
  'draft-brand-indicators-for-message-identification: Brand Indicators for Message Identification (BIMI)';
const BIMI_GROUP = 'BIMI Group: implementation guide (bimigroup.org)';

/** The BIMI check's findings, by id. */
export const BimiFindings: Record<string, FindingDefinition> = {
  'bimi.valid': {
    id: 'bimi.valid',
    severity: 'pass',
    title: 'BIMI: record published',
    explanation:
      'The domain publishes a well-formed BIMI record with an https SVG logo and a mark certificate (the files are judged by the svg-* and certificate-* findings). Receivers that support BIMI can show the logo next to authenticated mail (they also require DMARC enforcement, checked separately).',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.missing': {
    id: 'bimi.missing',
    severity: 'info',
    title: 'BIMI: no record',
    explanation:
      'The domain publishes no BIMI record at default._bimi: mailbox providers show no brand logo for its mail. BIMI is optional; it needs DMARC at quarantine or reject first.',
    fix: 'With DMARC enforced, publish `default._bimi.<domain> TXT "v=BIMI1; l=https://<host>/logo.svg; a=https://<host>/vmc.pem"`.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.declined': {
    id: 'bimi.declined',
    severity: 'info',
    title: 'BIMI: declined',
    explanation:
      'The domain publishes a declination record (`v=BIMI1; l=; a=;`): it asks receivers not to show any logo for its mail, including one found at a parent domain.',
    fix: 'Nothing, if no logo is wanted. Otherwise publish the logo and mark certificate URLs.',
    references: [BIMI_DRAFT],
  },
  'bimi.multiple-records': {
    id: 'bimi.multiple-records',
    severity: 'fail',
    title: 'BIMI: more than one record',
    explanation:
      'More than one TXT record at the BIMI name starts with v=BIMI1: receivers cannot tell which applies and show no logo.',
    fix: 'Keep one BIMI record per selector.',
    references: [BIMI_DRAFT],
  },
  'bimi.syntax-error': {
    id: 'bimi.syntax-error',
    severity: 'fail',
    title: 'BIMI: malformed record',
    explanation:
      'The BIMI record is not a valid tag list starting with v=BIMI1 (duplicate tags, malformed fields, an invalid avp value): receivers ignore it.',
    fix: 'Publish exactly `v=BIMI1; l=<https SVG URL>; a=<https PEM URL>`.',
    references: [BIMI_DRAFT],
  },
  'bimi.location-invalid': {
    id: 'bimi.location-invalid',
    severity: 'fail',
    title: 'BIMI: logo location is not an https SVG URL',
    explanation:
      'The l= tag must be an https URL of an SVG file (SVG Tiny PS profile). Receivers do not fetch logos over http or in other formats, so no logo is shown.',
    fix: 'Host the logo as SVG Tiny PS over https and point l= at it, e.g. `l=https://<host>/logo.svg`.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.authority-missing': {
    id: 'bimi.authority-missing',
    severity: 'warning',
    title: 'BIMI: no mark certificate (a=)',
    explanation:
      'The record gives a logo but no mark certificate (Verified Mark Certificate or Common Mark Certificate). Major mailbox providers (Gmail, Apple Mail) only show logos backed by one.',
    fix: 'Obtain a VMC or CMC for the logo from a mark certificate authority and publish its PEM URL in a=.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.authority-invalid': {
    id: 'bimi.authority-invalid',
    severity: 'fail',
    title: 'BIMI: mark certificate location is not an https URL',
    explanation:
      'The a= tag must be an https URL of the PEM mark certificate; receivers cannot retrieve evidence from anything else, so the logo is not shown.',
    fix: 'Publish the certificate over https and point a= at it, e.g. `a=https://<host>/vmc.pem`.',
    references: [BIMI_DRAFT],
  },
  'bimi.svg-valid': {
    id: 'bimi.svg-valid',
    severity: 'pass',
    title: 'BIMI: logo is SVG Tiny PS',
    explanation:
      'The logo downloaded from l= is served as image/svg+xml and passes the SVG Tiny PS checks Perimeter makes (baseProfile tiny-ps, a title, no scripts, no external references, no x/y on the root). These are text checks, not full schema validation.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-fetch-failed': {
    id: 'bimi.svg-fetch-failed',
    severity: 'warning',
    title: 'BIMI: logo could not be downloaded',
    explanation:
      'The logo URL in l= could not be retrieved over https (error status, certificate problem, refused, too large — BIMI recommends at most 32 KiB): receivers cannot show it.',
    fix: 'Serve the SVG at the l= URL over https with a valid certificate, status 200, at most 32 KiB.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-content-type': {
    id: 'bimi.svg-content-type',
    severity: 'fail',
    title: 'BIMI: logo not served as image/svg+xml',
    explanation:
      'The logo is served with a Content-Type other than image/svg+xml; receivers may refuse it.',
    fix: 'Serve the logo with `Content-Type: image/svg+xml`.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-not-tiny-ps': {
    id: 'bimi.svg-not-tiny-ps',
    severity: 'fail',
    title: 'BIMI: logo is not SVG Tiny PS',
    explanation:
      'The logo is not an SVG document whose root declares baseProfile="tiny-ps". BIMI requires the SVG Tiny Portable/Secure profile.',
    fix: 'Export the logo as SVG Tiny PS (version="1.2" baseProfile="tiny-ps"), e.g. with the BIMI Group conversion tools.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-no-title': {
    id: 'bimi.svg-no-title',
    severity: 'fail',
    title: 'BIMI: logo has no title',
    explanation: 'SVG Tiny PS requires a <title> element (the brand name) in the logo.',
    fix: 'Add `<title>Brand name</title>` as a child of the root <svg>.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-script': {
    id: 'bimi.svg-script',
    severity: 'fail',
    title: 'BIMI: logo contains a script',
    explanation:
      'The logo contains a <script> element; SVG Tiny PS forbids scripts and receivers reject such logos.',
    fix: 'Remove all scripts from the SVG.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-external-reference': {
    id: 'bimi.svg-external-reference',
    severity: 'fail',
    title: 'BIMI: logo references external resources',
    explanation:
      'The logo links to external resources (href="http…"); SVG Tiny PS forbids external references.',
    fix: 'Embed everything in the SVG; remove external links and images.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.svg-root-position': {
    id: 'bimi.svg-root-position',
    severity: 'fail',
    title: 'BIMI: x or y on the root element',
    explanation: 'The root <svg> has x= or y= attributes, which SVG Tiny PS forbids.',
    fix: 'Remove x and y from the root <svg> element.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.certificate-valid': {
    id: 'bimi.certificate-valid',
    severity: 'pass',
    title: 'BIMI: mark certificate valid',
    explanation:
      'The PEM at a= holds a certificate that is in date and names the domain. Perimeter does not verify the chain to a mark certificate authority or the embedded logo.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.certificate-fetch-failed': {
    id: 'bimi.certificate-fetch-failed',
    severity: 'warning',
    title: 'BIMI: mark certificate could not be downloaded',
    explanation:
      'The a= URL could not be retrieved over https: receivers cannot check the mark certificate and show no logo.',
    fix: 'Serve the PEM certificate chain at the a= URL over https with a valid certificate and status 200.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.certificate-invalid': {
    id: 'bimi.certificate-invalid',
    severity: 'fail',
    title: 'BIMI: no certificate at a=',
    explanation: 'The file at a= holds no parseable PEM certificate.',
    fix: 'Publish the VMC or CMC chain as PEM (leaf first) at the a= URL.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.certificate-expired': {
    id: 'bimi.certificate-expired',
    severity: 'fail',
    title: 'BIMI: mark certificate expired',
    explanation: 'The mark certificate is outside its validity period: receivers show no logo.',
    fix: 'Renew the VMC or CMC with its authority and publish the new PEM.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
  'bimi.certificate-domain-mismatch': {
    id: 'bimi.certificate-domain-mismatch',
    severity: 'fail',
    title: 'BIMI: mark certificate for another domain',
    explanation:
      'The mark certificate names neither the domain nor its organisational domain (subjectAltName or subject CN).',
    fix: 'Use a mark certificate issued for this domain.',
    references: [BIMI_DRAFT, BIMI_GROUP],
  },
};
