import type { FindingDefinition } from '../common/check-report';

const RFC8460 = 'RFC 8460: SMTP TLS Reporting';
const NCSC = 'NCSC (UK): Mail Check, TLS-RPT';

/** The TLS-RPT check's findings, by id. */
export const TlsRptFindings: Record<string, FindingDefinition> = {
  'tls-rpt.valid': {
    id: 'tls-rpt.valid',
    severity: 'pass',
    title: 'TLS-RPT: reporting configured',
    explanation:
      'The domain publishes a valid TLS-RPT record: sending mail servers report failures to negotiate TLS (and MTA-STS or DANE problems) to the addresses it names.',
    references: [RFC8460, NCSC],
  },
  'tls-rpt.missing': {
    id: 'tls-rpt.missing',
    severity: 'info',
    title: 'TLS-RPT: no record',
    explanation:
      'The domain publishes no TLS-RPT record at _smtp._tls: nobody tells it when senders fail to deliver over TLS, for example after a certificate expires or an MTA-STS policy breaks.',
    fix: 'Publish `_smtp._tls.<domain> TXT "v=TLSRPTv1; rua=mailto:tls-reports@<domain>"`.',
    references: [RFC8460, NCSC],
  },
  'tls-rpt.multiple-records': {
    id: 'tls-rpt.multiple-records',
    severity: 'fail',
    title: 'TLS-RPT: more than one record',
    explanation:
      'More than one TXT record at _smtp._tls starts with v=TLSRPTv1. RFC 8460 §3 says senders then assume the domain does not use TLS-RPT: no reports are sent.',
    fix: 'Merge them into one record; several destinations go in one rua, separated by commas.',
    references: [RFC8460],
  },
  'tls-rpt.syntax-error': {
    id: 'tls-rpt.syntax-error',
    severity: 'fail',
    title: 'TLS-RPT: malformed record',
    explanation:
      'The TLS-RPT record does not follow RFC 8460 §3 (version not exactly first, no rua, malformed fields): senders ignore it, so no reports are sent.',
    fix: 'Publish exactly `v=TLSRPTv1; rua=<mailto: or https: URI>[,<URI>]`.',
    references: [RFC8460],
  },
  'tls-rpt.invalid-rua': {
    id: 'tls-rpt.invalid-rua',
    severity: 'fail',
    title: 'TLS-RPT: report destination unusable',
    explanation:
      'A rua destination is neither a mailto: URI with an address nor an https: URL (RFC 8460 allows only those): reports cannot be delivered there.',
    fix: 'Use `mailto:tls-reports@<domain>` or an `https://` endpoint that accepts reports.',
    references: [RFC8460],
  },
};
