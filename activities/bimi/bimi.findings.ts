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
      'The domain publishes a well-formed BIMI record with an https SVG logo and a mark certificate. Receivers that support BIMI can show the logo next to authenticated mail (they also require DMARC enforcement, checked separately).',
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
};
