import { dmarcEnforced, dmarcOf, hasNullMx, spfOf, usableDkimKeys } from './mail-facts';
import type { ScanFacts } from './scan-facts';

/**
 * `unknown`: the scanner that decides the criterion did not run, or could not determine it; never
 * counted as a failure. `not-applicable`: the domain declares it does not do what is checked
 * (e.g. a null MX has no mail servers to offer STARTTLS).
 */
export const CriterionStatuses = ['pass', 'fail', 'unknown', 'not-applicable'] as const;
export type CriterionStatus = (typeof CriterionStatuses)[number];

export const ComplianceStatuses = [
  'compliant',
  'non-compliant',
  'unknown',
  'not-applicable',
] as const;
export type ComplianceStatus = (typeof ComplianceStatuses)[number];

export const DmarcPhases = [
  'not-implemented',
  'assess',
  'deploy',
  'enforce',
  'maintain',
  'unknown',
] as const;
export type DmarcPhase = (typeof DmarcPhases)[number];

export type CriterionGroup = 'web' | 'mail';

export interface CriterionResult {
  id: string;
  group: CriterionGroup;
  status: CriterionStatus;
  /** Why, about this domain. */
  reason: string;
}

export interface Criterion {
  id: string;
  group: CriterionGroup;
  title: string;
  evaluate(facts: ScanFacts): Omit<CriterionResult, 'id' | 'group'>;
}

/**
 * The pass findings the web, TLS and SMTP scanners promise for the web and STARTTLS criteria. A
 * criterion passes when its finding is present, fails when a scanner of its area completed without
 * it, and is unknown when none did.
 */
export const PromisedPassFindings = {
  httpsEnforced: 'web.https-enforced',
  hstsOneYear: 'hsts.valid',
  modernTls: 'tls.protocols-modern',
  validCertificate: 'certificate.valid',
  starttlsEverywhere: 'smtp-tls.starttls-everywhere',
} as const;

/** The scanners that decide a criterion: by result name, or by the ids of what they report. */
interface Coverage {
  scanners: readonly string[];
  prefixes: readonly string[];
}
const WEB: Coverage = {
  scanners: ['web', 'https', 'hsts', 'headers'],
  prefixes: ['web.', 'https.', 'hsts.', 'headers.'],
};
const TLS: Coverage = { scanners: ['tls', 'certificate'], prefixes: ['tls.', 'certificate.'] };
const SMTP_TLS: Coverage = { scanners: ['smtp-tls', 'smtp'], prefixes: ['smtp-tls.'] };

/**
 * Did a scanner that decides the criterion complete (true), run without a definite answer
 * ('unknown'), or not run at all (false)? Known by the result's name or by the findings it
 * reported, so it keeps working whatever the scanner is called.
 */
function coverageRan(facts: ScanFacts, coverage: Coverage): boolean | 'unknown' {
  let ranUnknown = false;
  for (const scanner of facts.scanners) {
    const r = facts.result(scanner)!;
    const covers =
      coverage.scanners.includes(scanner) ||
      r.findings.some((f) => coverage.prefixes.some((p) => f.id.startsWith(p)));
    if (!covers) continue;
    if (r.status === 'completed') return true;
    ranUnknown = true;
  }
  return ranUnknown ? 'unknown' : false;
}

function passFindingCriterion(
  id: string,
  group: CriterionGroup,
  title: string,
  findingId: string,
  coverage: Coverage,
  failReason: string,
  /** Findings of other scanners that settle the criterion as failed on their own. */
  failFindings: readonly string[] = [],
  /** Findings saying there is nothing to check (no web server answers, no MX). */
  notApplicableFindings: readonly string[] = [],
): Criterion {
  const what = coverage.scanners[0];
  return {
    id,
    group,
    title,
    evaluate(facts) {
      const failing = failFindings.filter((f) => facts.has(f));
      if (failing.length) return { status: 'fail', reason: `${failing.join(', ')} reported` };
      if (facts.has(findingId)) return { status: 'pass', reason: `${findingId} reported` };
      const absent = notApplicableFindings.find((f) => facts.has(f));
      if (absent) return { status: 'not-applicable', reason: `${absent} reported` };
      const ran = coverageRan(facts, coverage);
      if (ran === true) {
        // Name what the scanner did report against it.
        const against = facts.scanners
          .flatMap((s) => facts.result(s)!.findings)
          .filter(
            (f) =>
              (f.severity === 'fail' || f.severity === 'warning') &&
              coverage.prefixes.some((p) => f.id.startsWith(p)),
          )
          .map((f) => f.id);
        const ids = [...new Set(against)];
        return {
          status: 'fail',
          reason: ids.length ? `${failReason}: ${ids.join(', ')}` : failReason,
        };
      }
      return {
        status: 'unknown',
        reason:
          ran === 'unknown' ? `the ${what} scan could not determine it` : `no ${what} scan ran`,
      };
    },
  };
}

const notRun = (check: string) => ({
  status: 'unknown' as const,
  reason: `${check}: not determined (the check did not complete)`,
});

/** Nothing to check: no web server answers, or nothing offers TLS on the web port. */
const NO_WEB = ['web.not-live'];
const NO_HTTPS = ['web.not-live', 'tls.no-service'];

export const webCriteria: readonly Criterion[] = [
  passFindingCriterion(
    'web.https-enforced',
    'web',
    'HTTPS enforced',
    PromisedPassFindings.httpsEnforced,
    WEB,
    'HTTP is not redirected to HTTPS (or HTTPS is not served)',
    [],
    NO_WEB,
  ),
  passFindingCriterion(
    'web.hsts-one-year',
    'web',
    'HSTS with max-age of one year or more',
    PromisedPassFindings.hstsOneYear,
    WEB,
    'no HSTS header with max-age of at least one year',
    [],
    NO_WEB,
  ),
  passFindingCriterion(
    'web.tls-modern-only',
    'web',
    'TLS 1.2 or newer only',
    PromisedPassFindings.modernTls,
    TLS,
    'the server accepts a protocol older than TLS 1.2 (or no modern one)',
    [],
    NO_HTTPS,
  ),
  passFindingCriterion(
    'web.certificate-valid',
    'web',
    'Valid certificate',
    PromisedPassFindings.validCertificate,
    TLS,
    'the certificate is not valid for the domain (expired, untrusted or wrong name)',
    // The web scanner sees the certificate too, even when no TLS scan ran.
    ['web.certificate-expired', 'web.certificate-untrusted', 'web.certificate-bad-hostname'],
    NO_HTTPS,
  ),
];

export const dmarcCriterion: Criterion = {
  id: 'mail.dmarc-enforced',
  group: 'mail',
  title: 'DMARC quarantine or reject, pct=100',
  evaluate(facts) {
    const dmarc = dmarcOf(facts);
    if (!dmarc) return notRun('DMARC');
    if (!dmarc.applies) return { status: 'fail', reason: 'no DMARC policy applies' };
    if (dmarcEnforced(dmarc)) {
      return {
        status: 'pass',
        reason: `p=${dmarc.policy}${dmarc.inherited ? ' (inherited)' : ''}`,
      };
    }
    return {
      status: 'fail',
      reason:
        dmarc.policy === 'none'
          ? 'p=none: monitoring only'
          : `p=${dmarc.policy} applies to pct=${dmarc.pct} of the mail only`,
    };
  },
};

export const SPF_LOOKUP_LIMIT = 10;

export const spfCriterion: Criterion = {
  id: 'mail.spf-strict',
  group: 'mail',
  title: 'SPF ending in -all or ~all, within the lookup limit',
  evaluate(facts) {
    const spf = spfOf(facts);
    if (!spf) return notRun('SPF');
    if (!spf.record) return { status: 'fail', reason: 'no SPF record' };
    if (!spf.valid) {
      return {
        status: 'fail',
        reason: `the SPF record is not valid (${spf.lookupCount} lookups; permerror or parts not evaluated)`,
      };
    }
    if (spf.lookupCount > SPF_LOOKUP_LIMIT) {
      return {
        status: 'fail',
        reason: `${spf.lookupCount} DNS lookups (limit ${SPF_LOOKUP_LIMIT})`,
      };
    }
    if (spf.allQualifier !== '-' && spf.allQualifier !== '~') {
      return {
        status: 'fail',
        reason: spf.allQualifier ? `ends in ${spf.allQualifier}all` : 'no all mechanism',
      };
    }
    return {
      status: 'pass',
      reason: `ends in ${spf.allQualifier}all, ${spf.lookupCount} of ${SPF_LOOKUP_LIMIT} lookups`,
    };
  },
};

export const DKIM_MIN_RSA_BITS = 2048;

export const dkimCriterion: Criterion = {
  id: 'mail.dkim-strong-keys',
  group: 'mail',
  title: 'DKIM keys of 2048 bits or more',
  evaluate(facts) {
    const keys = usableDkimKeys(facts);
    if (!keys) return notRun('DKIM');
    if (keys.length === 0) {
      if (spfOf(facts)?.sendsNoMail && hasNullMx(facts)) {
        return { status: 'not-applicable', reason: 'the domain declares it sends no mail' };
      }
      return {
        status: 'fail',
        reason:
          'no usable DKIM key found (give the domain’s selectors if they are not common ones)',
      };
    }
    const weak = keys.filter((k) => k.keyType === 'rsa' && (k.keyBits ?? 0) < DKIM_MIN_RSA_BITS);
    if (weak.length) {
      return {
        status: 'fail',
        reason: `RSA key(s) under ${DKIM_MIN_RSA_BITS} bits: ${weak.map((k) => `${k.selector} (${k.keyBits ?? '?'})`).join(', ')}`,
      };
    }
    return {
      status: 'pass',
      reason: `${keys.length} usable key(s): ${keys.map((k) => `${k.selector} (${k.keyType === 'rsa' ? `${k.keyBits}-bit RSA` : k.keyType})`).join(', ')}`,
    };
  },
};

export const starttlsCriterion: Criterion = {
  id: 'mail.starttls-everywhere',
  group: 'mail',
  title: 'STARTTLS on every MX',
  evaluate(facts) {
    if (hasNullMx(facts) || facts.has('mx.none-no-mail')) {
      return { status: 'not-applicable', reason: 'the domain accepts no mail' };
    }
    return passFindingCriterion(
      'mail.starttls-everywhere',
      'mail',
      'STARTTLS on every MX',
      PromisedPassFindings.starttlsEverywhere,
      SMTP_TLS,
      'at least one MX host does not offer STARTTLS with a usable certificate',
      [],
      ['smtp-tls.no-mx'],
    ).evaluate(facts);
  },
};

export const mailCriteria: readonly Criterion[] = [
  dmarcCriterion,
  spfCriterion,
  dkimCriterion,
  starttlsCriterion,
];

/**
 * Any fail → non-compliant; otherwise any unknown → unknown; every criterion not applicable (no web
 * site, no mail) → not-applicable; otherwise compliant.
 */
export function overall(results: readonly CriterionResult[]): ComplianceStatus {
  if (results.some((r) => r.status === 'fail')) return 'non-compliant';
  if (results.some((r) => r.status === 'unknown')) return 'unknown';
  if (results.every((r) => r.status === 'not-applicable')) return 'not-applicable';
  return 'compliant';
}

/**
 * Where the domain stands on the way to DMARC enforcement, after the Canadian Centre for Cyber
 * Security's implementation guidance (assess, deploy, enforce, maintain):
 * - not-implemented: no DMARC policy applies;
 * - assess: a policy applies (typically p=none) but SPF or DKIM is not yet in place;
 * - deploy: SPF and DKIM pass the criteria, the policy is still none;
 * - enforce: quarantine or reject, but not yet on all mail with SPF, DKIM and reports in place
 *   (pct below 100, t=y, no rua, or SPF/DKIM failing);
 * - maintain: quarantine or reject on all mail, SPF and DKIM passing, aggregate reports flowing;
 * - unknown: the DMARC check did not complete, or SPF/DKIM could not be determined where they decide.
 */
export function dmarcPhase(facts: ScanFacts): DmarcPhase {
  const dmarc = dmarcOf(facts);
  if (!dmarc) return 'unknown';
  if (!dmarc.applies) return 'not-implemented';
  const statuses = [spfCriterion, dkimCriterion].map((c) => c.evaluate(facts).status);
  // SPF or DKIM not determined: the phase is unknown wherever it is what decides.
  const authenticated = statuses.includes('fail')
    ? false
    : statuses.includes('unknown')
      ? null
      : true;
  if (dmarc.policy === 'none') {
    if (authenticated === null) return 'unknown';
    return authenticated ? 'deploy' : 'assess';
  }
  if (!dmarcEnforced(dmarc) || dmarc.testing || dmarc.ruaCount === 0) return 'enforce';
  if (authenticated === null) return 'unknown';
  return authenticated ? 'maintain' : 'enforce';
}

export interface DomainCompliance {
  web: ComplianceStatus;
  mail: ComplianceStatus;
  dmarcPhase: DmarcPhase;
  criteria: CriterionResult[];
}

export function evaluateCompliance(facts: ScanFacts): DomainCompliance {
  const run = (c: Criterion): CriterionResult => ({
    id: c.id,
    group: c.group,
    ...c.evaluate(facts),
  });
  const web = webCriteria.map(run);
  const mail = mailCriteria.map(run);
  return {
    web: overall(web),
    mail: overall(mail),
    dmarcPhase: dmarcPhase(facts),
    criteria: [...web, ...mail],
  };
}

/** Every criterion, for listing. */
export const allCriteria: readonly Criterion[] = [...webCriteria, ...mailCriteria];
