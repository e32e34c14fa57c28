import {
  dmarcEnforced,
  dmarcOf,
  hasNullMx,
  SPF_PERMERROR_FINDINGS,
  spfOf,
  usableDkimKeys,
} from './mail-facts';
import type { GuidanceRule, RuleTagDefinition } from './rule';
import type { ScanFacts } from './scan-facts';

/** A rule over several checks' results, with the tag it sets. */
export interface CompoundRule {
  definition: RuleTagDefinition;
  rule: GuidanceRule;
}

const CCCS_EMAIL =
  'Canadian Centre for Cyber Security: Implementation guidance, email domain protection (ITSP.40.065)';
const M3AAWG_PARKED = 'M3AAWG Protecting Parked Domains Best Common Practices (2015)';

/** SPF gives receivers no pass: missing, or a permerror for every message. */
function spfUnusable(facts: ScanFacts): string | null {
  if (facts.has('spf.missing')) return 'publishes no SPF record';
  const broken = SPF_PERMERROR_FINDINGS.filter((id) => facts.has(id));
  return broken.length
    ? `has an SPF record that fails with permerror (${broken.join(', ')})`
    : null;
}

/** DKIM gives receivers no pass: no usable key found among the selectors asked. */
function dkimUnusable(facts: ScanFacts): string | null {
  const keys = usableDkimKeys(facts);
  if (!keys || keys.length > 0) return null;
  return facts.has('dkim.no-usable-key')
    ? 'publishes DKIM keys, none of them usable'
    : 'publishes no DKIM key under any selector checked';
}

const policyText = (p: string | null, pct: number) => `p=${p}${pct === 100 ? '' : `, pct=${pct}`}`;

export const dmarcEnforcedWithoutSpf: CompoundRule = {
  definition: {
    id: 'mail.dmarc-enforced-without-spf',
    area: 'mail',
    severity: 'warning',
    title: 'DMARC enforced while SPF gives no pass',
    meaning:
      'The DMARC policy asks receivers to quarantine or reject failing mail, but SPF is missing or fails with a permanent error. Every message must then pass DMARC through an aligned DKIM signature alone: mail from any sender that does not sign (forwarders aside, often a forgotten service) is quarantined or rejected.',
    fix: 'Publish one valid SPF record listing every service that sends for the domain, ending in -all (or ~all), within 10 DNS lookups.',
    references: ['RFC 9989 §4.4', 'RFC 7208', CCCS_EMAIL],
  },
  rule: {
    tag: 'mail.dmarc-enforced-without-spf',
    reads: ['dmarc', 'spf'],
    appliesWhen: 'DMARC is quarantine or reject, and SPF is missing or in permerror',
    evaluate(facts) {
      const dmarc = dmarcOf(facts);
      if (!dmarc || (dmarc.policy !== 'quarantine' && dmarc.policy !== 'reject')) return null;
      const spf = spfUnusable(facts);
      if (!spf) return null;
      return {
        message: `DMARC asks receivers to ${dmarc.policy} failing mail, but the domain ${spf}: only DKIM can make its mail pass.`,
        evidence: { dmarcPolicy: dmarc.policy, pct: dmarc.pct },
      };
    },
  },
};

export const dmarcEnforcedWithoutDkim: CompoundRule = {
  definition: {
    id: 'mail.dmarc-enforced-without-dkim',
    area: 'mail',
    severity: 'warning',
    title: 'DMARC enforced while no DKIM key was found',
    meaning:
      'The DMARC policy asks receivers to quarantine or reject failing mail, but no usable DKIM key was found. Mail then passes DMARC through aligned SPF alone, which breaks whenever a message is forwarded: forwarded mail is quarantined or rejected.',
    fix: 'Sign outgoing mail with DKIM (RSA 2048 bits or more) for every sending service and publish its keys; if the domain uses selectors Perimeter does not know, give them with the scan (dkimSelectors).',
    references: ['RFC 6376', 'RFC 7960 §3.2', CCCS_EMAIL],
  },
  rule: {
    tag: 'mail.dmarc-enforced-without-dkim',
    reads: ['dmarc', 'dkim'],
    appliesWhen: 'DMARC is quarantine or reject, and the DKIM check found no usable key',
    evaluate(facts) {
      const dmarc = dmarcOf(facts);
      if (!dmarc || (dmarc.policy !== 'quarantine' && dmarc.policy !== 'reject')) return null;
      const dkim = dkimUnusable(facts);
      if (!dkim) return null;
      return {
        message: `DMARC asks receivers to ${dmarc.policy} failing mail, but the domain ${dkim}: forwarded mail will fail DMARC.`,
        evidence: { dmarcPolicy: dmarc.policy },
      };
    },
  },
};

export const dmarcWithoutAuthentication: CompoundRule = {
  definition: {
    id: 'mail.dmarc-without-authentication',
    area: 'mail',
    severity: 'fail',
    title: 'DMARC record, but neither SPF nor DKIM can pass',
    meaning:
      'A DMARC policy applies, yet SPF is missing or broken and no usable DKIM key was found. No legitimate message can pass DMARC: with p=none the reports show everything failing; with quarantine or reject, the domain’s own mail is junked or refused.',
    fix: 'Publish a valid SPF record and DKIM keys for every sending service before (or instead of) enforcing DMARC; if the domain sends no mail, publish "v=spf1 -all" and a null MX as well.',
    references: ['RFC 9989 §4', 'RFC 7208', 'RFC 6376', CCCS_EMAIL],
  },
  rule: {
    tag: 'mail.dmarc-without-authentication',
    reads: ['dmarc', 'spf', 'dkim'],
    appliesWhen: 'a DMARC policy applies, SPF is missing or in permerror, and no usable DKIM key',
    evaluate(facts) {
      const dmarc = dmarcOf(facts);
      if (!dmarc?.applies) return null;
      const spf = spfUnusable(facts);
      const dkim = dkimUnusable(facts);
      if (!spf || !dkim) return null;
      return {
        message: `DMARC (${policyText(dmarc.policy, dmarc.pct)}) applies, but the domain ${spf} and ${dkim}: none of its mail can pass DMARC.`,
        evidence: { dmarcPolicy: dmarc.policy },
      };
    },
  },
};

export const parkedDomainUnprotected: CompoundRule = {
  definition: {
    id: 'mail.parked-domain-unprotected',
    area: 'mail',
    severity: 'warning',
    title: 'Domain accepts no mail but does not forbid sending',
    meaning:
      'The domain publishes a null MX, so it receives no mail and presumably sends none. Without "v=spf1 -all" and a DMARC p=reject it still gives spoofers a trusted name: receivers have no instruction to refuse mail claiming to come from it.',
    fix: 'Publish "v=spf1 -all" at the domain and "v=DMARC1; p=reject;" at _dmarc.<domain> (with an rua address if you want reports).',
    references: [M3AAWG_PARKED, 'RFC 7505', CCCS_EMAIL],
  },
  rule: {
    tag: 'mail.parked-domain-unprotected',
    reads: ['mx', 'spf', 'dmarc'],
    appliesWhen: 'the domain has a null MX, and SPF is not "v=spf1 -all" or DMARC is not p=reject',
    evaluate(facts) {
      if (!hasNullMx(facts) || !facts.completed('spf') || !facts.completed('dmarc')) return null;
      const spf = spfOf(facts);
      const dmarc = dmarcOf(facts);
      const missing: string[] = [];
      if (!spf?.sendsNoMail) missing.push('SPF "v=spf1 -all"');
      if (dmarc?.policy !== 'reject' || dmarc.pct !== 100) missing.push('DMARC p=reject');
      if (missing.length === 0) return null;
      return {
        message: `The domain accepts no mail (null MX) but lacks ${missing.join(' and ')}.`,
        evidence: { spfRecord: spf?.record ?? null, dmarcPolicy: dmarc?.policy ?? null },
      };
    },
  },
};

export const bimiWithoutEnforcement: CompoundRule = {
  definition: {
    id: 'mail.bimi-without-enforcement',
    area: 'mail',
    severity: 'fail',
    title: 'BIMI published without an enforcing DMARC policy',
    meaning:
      'Mailbox providers show a BIMI logo only for mail from domains whose DMARC policy is quarantine or reject on all mail (pct=100). With a weaker policy the BIMI record has no effect.',
    fix: 'Move DMARC to p=quarantine or p=reject without pct (or pct=100), after the reports show all legitimate mail passing.',
    references: ['draft-brand-indicators-for-message-identification §4.2', 'RFC 9989'],
  },
  rule: {
    tag: 'mail.bimi-without-enforcement',
    reads: ['bimi', 'dmarc'],
    appliesWhen: 'a BIMI record is published and DMARC is not quarantine/reject with pct=100',
    evaluate(facts) {
      const bimi = facts.result('bimi');
      if (bimi?.status !== 'completed') return null;
      const published = !bimi.findings.some(
        (f) => f.id === 'bimi.missing' || f.id === 'bimi.declined',
      );
      const dmarc = dmarcOf(facts);
      if (!published || !dmarc || dmarcEnforced(dmarc)) return null;
      return {
        message: `A BIMI record is published, but DMARC is ${dmarc.applies ? policyText(dmarc.policy, dmarc.pct) : 'not in force'}: no logo will be shown.`,
        evidence: { dmarcPolicy: dmarc.policy, pct: dmarc.pct },
      };
    },
  },
};

export const mtaStsWithoutTlsRpt: CompoundRule = {
  definition: {
    id: 'mail.mta-sts-without-tls-rpt',
    area: 'mail',
    severity: 'info',
    title: 'MTA-STS without TLS reporting',
    meaning:
      'The domain enforces or tests an MTA-STS policy but publishes no TLS-RPT record, so senders that fail to deliver because of the policy (an expired certificate, a wrong MX pattern) have nowhere to report it: the first sign of trouble is lost mail.',
    fix: 'Publish "v=TLSRPTv1; rua=mailto:<a mailbox you read>" at _smtp._tls.<domain>.',
    references: ['RFC 8460', 'RFC 8461 §9'],
  },
  rule: {
    tag: 'mail.mta-sts-without-tls-rpt',
    reads: ['mta-sts', 'tls-rpt'],
    appliesWhen: 'the MTA-STS policy is valid and no TLS-RPT record is published',
    evaluate(facts) {
      if (!facts.has('mta-sts.valid') || !facts.has('tls-rpt.missing')) return null;
      return {
        message: 'An MTA-STS policy is published, but no TLS-RPT record receives failure reports.',
      };
    },
  },
};

/** Every rule that combines several mail checks. */
export const mailRules: readonly CompoundRule[] = [
  dmarcEnforcedWithoutSpf,
  dmarcEnforcedWithoutDkim,
  dmarcWithoutAuthentication,
  parkedDomainUnprotected,
  bimiWithoutEnforcement,
  mtaStsWithoutTlsRpt,
];
