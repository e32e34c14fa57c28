import type { FindingDefinition } from '../../activities/common/check-report';
import type { GuidanceTag } from './guidance-tag';
import type { ScanFacts } from './scan-facts';

/** Why a tag applies to this scan: a sentence about this domain, and what shows it. */
export interface RuleMatch {
  message: string;
  evidence?: Record<string, unknown>;
  /** The scanner whose result the tag comes from, when it is one. */
  scanner?: string;
}

/**
 * A rule is data (the tag it sets, the results it reads, when it applies in words) plus one small
 * function: given the scan's results, does the tag apply, and why.
 */
export interface GuidanceRule {
  tag: string;
  /** The scanners whose results the rule reads. */
  reads: readonly string[];
  appliesWhen: string;
  evaluate(facts: ScanFacts): RuleMatch | null;
}

/** A rule's tag definition beside it, for rules that are not a single finding. */
export type RuleTagDefinition = Omit<GuidanceTag, 'source' | 'appliesWhen' | 'trackerTagId'> & {
  trackerTagId?: string;
};

/** The tag of one finding: present whenever a scanner reported that finding. */
export function findingRule(def: FindingDefinition, scanner: string): GuidanceRule {
  return {
    tag: def.id,
    reads: [scanner],
    appliesWhen: `the ${scanner} check reports finding ${def.id}`,
    evaluate(facts) {
      const seen = facts.occurrences(def.id);
      if (seen.length === 0) return null;
      const [first] = seen;
      if (seen.length === 1) {
        return {
          message: first.finding.message,
          scanner: first.scanner,
          ...(first.finding.evidence ? { evidence: first.finding.evidence } : {}),
        };
      }
      return {
        message: `${first.finding.message} (and ${seen.length - 1} more)`,
        scanner: first.scanner,
        evidence: {
          occurrences: seen.map((s) => ({
            message: s.finding.message,
            evidence: s.finding.evidence,
          })),
        },
      };
    },
  };
}
