import type { Finding, FindingDefinition } from '../common/check-report';

const RFC7489 = 'RFC 7489: DMARC (§7, aggregate reports)';
const CCCS =
  'Canadian Centre for Cyber Security: Implementation guidance, email domain protection (ITSP.40.065)';

/**
 * What the domain's received DMARC aggregate reports say, fed into its guidance: not a scanner of
 * the domain, but the reports' verdict on the mail sent in its name.
 */
export const DmarcReportFindings: Record<string, FindingDefinition> = {
  'dmarc-reports.failing-sources': {
    id: 'dmarc-reports.failing-sources',
    severity: 'warning',
    title: 'DMARC reports: mail is sent from sources that fail DMARC',
    explanation:
      'Receivers reported messages in the domain’s name that passed neither aligned SPF nor aligned DKIM. Either a legitimate service sends without being authorised (it will be quarantined or rejected once the policy is enforced), or someone is spoofing the domain (what an enforced policy stops).',
    fix: 'Look at the failing sources (GraphQL dmarcSources with filter FAILING): authorise the legitimate ones in SPF and have them sign with DKIM for the domain; then move the DMARC policy towards quarantine and reject.',
    references: [RFC7489, CCCS],
  },
  'dmarc-reports.all-pass': {
    id: 'dmarc-reports.all-pass',
    severity: 'pass',
    title: 'DMARC reports: every reported message passed DMARC',
    explanation:
      'Every message receivers reported in the period passed DMARC through aligned SPF or DKIM: the domain’s senders are all authenticated, which makes an enforced policy safe.',
    references: [RFC7489],
  },
};

/** The reports' totals for a domain over a period, and its failing sources (most mail first). */
export interface DmarcReportFacts {
  fromDay: string;
  toDay: string;
  messageCount: number;
  failingCount: number;
  failingSourceCount: number;
  /** The sources with the most failing mail (not all of them). */
  failingSources: Array<{ sourceIp: string; ptr: string | null; messageCount: number }>;
}

/** The finding the reports support, if any: none when no report covered the period. */
export function dmarcReportFindings(facts: DmarcReportFacts): Finding[] {
  if (facts.messageCount === 0) return [];
  const period = `${facts.fromDay} to ${facts.toDay}`;
  if (facts.failingCount === 0) {
    return [
      {
        id: 'dmarc-reports.all-pass',
        severity: 'pass',
        message: `All ${facts.messageCount} messages reported from ${period} passed DMARC.`,
      },
    ];
  }
  const pct = Math.round((1000 * facts.failingCount) / facts.messageCount) / 10;
  const top = facts.failingSources
    .slice(0, 3)
    .map((s) => `${s.sourceIp}${s.ptr ? ` (${s.ptr})` : ''}: ${s.messageCount}`);
  return [
    {
      id: 'dmarc-reports.failing-sources',
      severity: 'warning',
      message: `${facts.failingCount} of ${facts.messageCount} messages (${pct}%) reported from ${period} failed DMARC, from ${facts.failingSourceCount} source(s); most: ${top.join(', ')}.`,
      evidence: { ...facts },
    },
  ];
}
