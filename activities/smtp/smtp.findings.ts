import type { FindingDefinition } from '../common/check-report';
import { CertificateFindings, TlsFindings } from '../tls/tls.findings';

const RFC3207 = 'RFC 3207: SMTP Service Extension for Secure SMTP over Transport Layer Security';
const RFC7672 = 'RFC 7672: SMTP Security via Opportunistic DANE TLS (§1.3, STARTTLS downgrade)';
const RFC8461 = 'RFC 8461: SMTP MTA Strict Transport Security (MTA-STS)';
const NCSC_UK = 'NCSC (UK) Mail Check: email security and anti-spoofing, TLS for inbound mail';

/** The id a TLS or certificate finding gets when it is about an MX host's STARTTLS. */
export function smtpTlsId(id: string): string {
  if (id.startsWith('tls.')) return `smtp-tls.${id.slice(4)}`;
  if (id.startsWith('certificate.')) return `smtp-tls.certificate-${id.slice(12)}`;
  return id;
}

const own: FindingDefinition[] = [
  {
    id: 'smtp-tls.starttls-everywhere',
    severity: 'pass',
    title: 'SMTP: every MX host offers STARTTLS and the TLS handshake works',
    explanation:
      'Every mail host of the domain offers STARTTLS in its EHLO reply, and a TLS handshake over the upgraded connection completes: mail to the domain can travel encrypted.',
    references: [RFC3207, NCSC_UK],
  },
  {
    id: 'smtp-tls.starttls-missing',
    severity: 'fail',
    title: 'SMTP: an MX host does not offer STARTTLS',
    explanation:
      'The mail host does not list STARTTLS in its EHLO reply: mail to it travels in clear text, readable and changeable by anyone on the path.',
    fix: 'Enable STARTTLS on the mail server with a certificate for its MX host name.',
    references: [RFC3207, NCSC_UK],
  },
  {
    id: 'smtp-tls.starttls-failed',
    severity: 'fail',
    title: 'SMTP: STARTTLS offered but the TLS handshake fails',
    explanation:
      'The mail host advertises STARTTLS but the TLS handshake over the upgraded connection fails. Most senders then fall back to clear text (or, with MTA-STS or DANE, do not deliver at all).',
    fix: 'Fix the server’s TLS configuration (certificate and key, protocol versions); test with `openssl s_client -starttls smtp`.',
    references: [RFC3207, RFC8461, RFC7672],
  },
  {
    id: 'smtp-tls.no-service',
    severity: 'warning',
    title: 'SMTP: an MX host refuses connections',
    explanation:
      'Nothing accepts connections on the SMTP port of the mail host: mail for the domain is delayed or lost if this host is the one senders pick.',
    fix: 'Start the mail service on the host, or remove the host from the MX records.',
    references: ['RFC 5321: Simple Mail Transfer Protocol'],
  },
  {
    id: 'smtp-tls.smtp-error',
    severity: 'warning',
    title: 'SMTP: an MX host does not speak SMTP properly',
    explanation:
      'The mail host’s banner or EHLO reply is missing or an error, so senders cannot negotiate STARTTLS with it.',
    fix: 'Check the mail server: it must greet with 220 and answer EHLO with 250.',
    references: ['RFC 5321: Simple Mail Transfer Protocol'],
  },
  {
    id: 'smtp-tls.mx-hosts-capped',
    severity: 'info',
    title: 'SMTP: only the most preferred MX hosts were checked',
    explanation:
      'The domain has more MX hosts than a scan checks (10, by preference); the others were not checked for STARTTLS.',
    fix: 'Nothing to fix if the extra hosts are intended; check them one by one with `perimeter scan tls <host> --starttls smtp`.',
    references: [RFC3207],
  },
  {
    id: 'smtp-tls.no-mx',
    severity: 'info',
    title: 'SMTP: no MX host to check',
    explanation:
      'The domain names no mail host (no MX, or a null MX), so there is no STARTTLS to check.',
    fix: 'Nothing, if the domain receives no mail; otherwise publish its MX records.',
    references: [RFC3207],
  },
];

const mapped = [...Object.values(TlsFindings), ...Object.values(CertificateFindings)].map(
  (d): FindingDefinition => ({
    ...d,
    id: smtpTlsId(d.id),
    title: `SMTP STARTTLS: ${d.title.replace(/^TLS: /, '')}`,
    explanation: `Over STARTTLS on an MX host: ${d.explanation}`,
  }),
);

/** SMTP STARTTLS findings, by id: every TLS and certificate finding for MX hosts, then its own (which win: `smtp-tls.no-service` is about the SMTP port). */
export const SmtpTlsFindings: Record<string, FindingDefinition> = Object.fromEntries(
  [...mapped, ...own].map((d) => [d.id, d]),
);
