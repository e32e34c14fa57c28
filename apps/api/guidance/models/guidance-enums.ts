import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums for the stored lowercase values (`NON_COMPLIANT` ↔ `non-compliant`). */
export const ComplianceStatusEnum = {
  COMPLIANT: 'compliant',
  NON_COMPLIANT: 'non-compliant',
  UNKNOWN: 'unknown',
  NOT_APPLICABLE: 'not-applicable',
} as const;
registerEnumType(ComplianceStatusEnum, {
  name: 'ComplianceStatus',
  valuesMap: {
    COMPLIANT: { description: 'Every criterion passes (or does not apply).' },
    NON_COMPLIANT: { description: 'At least one criterion fails.' },
    UNKNOWN: { description: 'None fails, but at least one could not be determined.' },
    NOT_APPLICABLE: { description: 'Nothing to check: no web site, or no mail, at all.' },
  },
});

export const CriterionStatusEnum = {
  PASS: 'pass',
  FAIL: 'fail',
  UNKNOWN: 'unknown',
  NOT_APPLICABLE: 'not-applicable',
} as const;
registerEnumType(CriterionStatusEnum, {
  name: 'CriterionStatus',
  valuesMap: {
    UNKNOWN: {
      description: 'Its scanner did not run, or could not determine it: never a failure.',
    },
    NOT_APPLICABLE: { description: 'The domain declares it does not do what is checked.' },
  },
});

export const DmarcPhaseEnum = {
  NOT_IMPLEMENTED: 'not-implemented',
  ASSESS: 'assess',
  DEPLOY: 'deploy',
  ENFORCE: 'enforce',
  MAINTAIN: 'maintain',
  UNKNOWN: 'unknown',
} as const;
registerEnumType(DmarcPhaseEnum, {
  name: 'DmarcPhase',
  description: 'Where the domain stands on the way to DMARC enforcement (CCCS guidance).',
  valuesMap: {
    NOT_IMPLEMENTED: { description: 'No DMARC policy applies.' },
    ASSESS: { description: 'A policy applies, but SPF or DKIM is not in place yet.' },
    DEPLOY: { description: 'SPF and DKIM in place; the policy is still none.' },
    ENFORCE: {
      description: 'Quarantine or reject, not yet on all mail with SPF, DKIM and reports.',
    },
    MAINTAIN: { description: 'Quarantine or reject on all mail; SPF, DKIM and reports in place.' },
    UNKNOWN: {
      description: 'Not determined: DMARC (or SPF or DKIM, where they decide) did not complete.',
    },
  },
});

export const CriterionGroupEnum = { WEB: 'web', MAIL: 'mail' } as const;
registerEnumType(CriterionGroupEnum, { name: 'ComplianceGroup' });

export const GuidanceTagSourceEnum = { FINDING: 'finding', RULE: 'rule' } as const;
registerEnumType(GuidanceTagSourceEnum, {
  name: 'GuidanceTagSource',
  valuesMap: {
    FINDING: { description: 'The tag of one scanner finding.' },
    RULE: { description: 'Derived from several scanners’ results.' },
  },
});

export const TrendIntervalEnum = { DAY: 'day', WEEK: 'week', MONTH: 'month' } as const;
registerEnumType(TrendIntervalEnum, { name: 'TrendInterval' });
