import { createHash } from 'node:crypto';
import type { FindingDefinition } from '../../activities/common/check-report';
// The findings are defined beside the engines that report them; the catalogue derives from them,
// so a new finding has a tag the moment its check can report it.
import { findingCatalogue } from '../../activities/posture-checks';
import { areaOf, type GuidanceTag } from './guidance-tag';
import { mailRules, type CompoundRule } from './mail-rules';
import { findingRule, type GuidanceRule } from './rule';
import { findingEnrichment, type TagEnrichment } from './tracker-tags';

/**
 * Bumped by hand for changes the content hash cannot see (a rule's function changed meaning); the
 * hash covers every tag's text, severity and the rule list, so any edit yields a new version.
 */
export const CATALOGUE_EDITION = 1;

export interface GuidanceCatalogue {
  /** `<edition>.<hash of the content>`: scans record it, re-evaluation compares it. */
  version: string;
  tags: ReadonlyMap<string, GuidanceTag>;
  rules: readonly GuidanceRule[];
}

export class UnknownGuidanceArea extends Error {
  override readonly name = 'UnknownGuidanceArea';
  constructor(readonly findingId: string) {
    super(`finding ${findingId} has no guidance area: its prefix is not one of GuidanceAreas`);
  }
}

function tagOfFinding(def: FindingDefinition, extra: TagEnrichment | undefined): GuidanceTag {
  const area = areaOf(def.id);
  if (!area) throw new UnknownGuidanceArea(def.id);
  return {
    id: def.id,
    area,
    severity: def.severity,
    title: def.title,
    meaning: def.explanation,
    fix: def.fix ?? null,
    references: [...def.references, ...(extra?.references ?? [])],
    trackerTagId: extra?.trackerTagId ?? null,
    source: 'finding',
    appliesWhen: `the ${area} check reports finding ${def.id}`,
  };
}

function tagOfRule({ definition, rule }: CompoundRule): GuidanceTag {
  return {
    ...definition,
    trackerTagId: definition.trackerTagId ?? null,
    source: 'rule',
    appliesWhen: rule.appliesWhen,
  };
}

/** Builds a catalogue from finding definitions and compound rules (tests build their own). */
export function buildCatalogue(
  findings: Record<string, FindingDefinition>,
  compound: readonly CompoundRule[] = mailRules,
  enrichment: Record<string, TagEnrichment> = findingEnrichment,
): GuidanceCatalogue {
  const tags = new Map<string, GuidanceTag>();
  const rules: GuidanceRule[] = [];
  for (const def of Object.values(findings).sort((a, b) => a.id.localeCompare(b.id))) {
    const tag = tagOfFinding(def, enrichment[def.id]);
    tags.set(tag.id, tag);
    rules.push(findingRule(def, tag.area));
  }
  for (const c of compound) {
    if (tags.has(c.definition.id)) throw new Error(`guidance tag ${c.definition.id} defined twice`);
    tags.set(c.definition.id, tagOfRule(c));
    rules.push(c.rule);
  }
  const hash = createHash('sha256')
    .update(JSON.stringify([...tags.values()]))
    .digest('hex')
    .slice(0, 12);
  return { version: `${CATALOGUE_EDITION}.${hash}`, tags, rules };
}

let current: GuidanceCatalogue | undefined;

/** The catalogue of this build: every finding the scanners report, plus the compound rules. */
export function guidanceCatalogue(): GuidanceCatalogue {
  current ??= buildCatalogue(findingCatalogue);
  return current;
}
