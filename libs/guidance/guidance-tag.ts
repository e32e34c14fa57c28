import type { Severity } from '../../activities/common/check-report';

export type { Severity };
export const Severities = [
  'pass',
  'info',
  'warning',
  'fail',
] as const satisfies readonly Severity[];

/**
 * What a tag is about. A finding's area is the prefix of its id (`spf.too-many-lookups` → `spf`);
 * `mail` holds the tags that combine several mail checks.
 */
export const GuidanceAreas = [
  'dns',
  'dmarc',
  'spf',
  'dkim',
  'mx',
  'mta-sts',
  'tls-rpt',
  'bimi',
  'dnssec',
  'caa',
  'mail',
  'web',
  'https',
  'hsts',
  'headers',
  'tls',
  'certificate',
  'smtp-tls',
  'dane',
  'dmarc-reports',
] as const;
export type GuidanceArea = (typeof GuidanceAreas)[number];

export function isGuidanceArea(value: string): value is GuidanceArea {
  return (GuidanceAreas as readonly string[]).includes(value);
}

/** The area of a tag or finding id: the part before the first dot; null when it is no known area. */
export function areaOf(id: string): GuidanceArea | null {
  const prefix = id.slice(0, id.indexOf('.'));
  return id.includes('.') && isGuidanceArea(prefix) ? prefix : null;
}

/** One entry of the catalogue: what a tag means and what to do about it. */
export interface GuidanceTag {
  /** Stable id; for a finding's tag, the finding id. */
  id: string;
  area: GuidanceArea;
  severity: Severity;
  title: string;
  /** What it means and why it matters. */
  meaning: string;
  /** How to fix it; null for `pass` tags. */
  fix: string | null;
  /** RFCs and national guidance. */
  references: string[];
  /**
   * The Government of Canada Tracker's tag for the same result (`dmarc4`, `spf11`, `ssl10`, …),
   * so teams migrating from Tracker can map their history; null where Tracker has none.
   */
  trackerTagId: string | null;
  /** `finding`: the tag of one scanner finding. `rule`: derived from several results. */
  source: 'finding' | 'rule';
  /** In words, when the tag applies. */
  appliesWhen: string;
}
