import type { GuidanceCatalogue } from './catalogue';
import { evaluateCompliance, type DomainCompliance } from './compliance';
import type { GuidanceArea, Severity } from './guidance-tag';
import { ScanFacts, type ScannerResult } from './scan-facts';

/** A tag that applies to one scan, and why. */
export interface AppliedTag {
  tagId: string;
  area: GuidanceArea;
  severity: Severity;
  scanner: string | null;
  message: string;
  evidence: Record<string, unknown> | null;
}

export interface GuidanceEvaluation {
  catalogueVersion: string;
  tags: AppliedTag[];
  compliance: DomainCompliance;
  /** Findings the scanners reported that the catalogue has no tag for (a newer scanner). */
  uncatalogued: string[];
}

const SEVERITY_ORDER: Record<Severity, number> = { fail: 0, warning: 1, info: 2, pass: 3 };

/** Every rule of the catalogue against one scan's results; pure, so re-evaluation is the same call. */
export function evaluateGuidance(
  catalogue: GuidanceCatalogue,
  results: readonly ScannerResult[],
): GuidanceEvaluation {
  const facts = new ScanFacts(results);
  const tags: AppliedTag[] = [];
  for (const rule of catalogue.rules) {
    const match = rule.evaluate(facts);
    if (!match) continue;
    const tag = catalogue.tags.get(rule.tag)!;
    tags.push({
      tagId: tag.id,
      area: tag.area,
      severity: tag.severity,
      scanner: match.scanner ?? null,
      message: match.message,
      evidence: match.evidence ?? null,
    });
  }
  tags.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.tagId.localeCompare(b.tagId),
  );
  const uncatalogued = [
    ...new Set(
      results.flatMap((r) => r.findings.map((f) => f.id)).filter((id) => !catalogue.tags.has(id)),
    ),
  ].sort();
  return {
    catalogueVersion: catalogue.version,
    tags,
    compliance: evaluateCompliance(facts),
    uncatalogued,
  };
}
