import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { GuidanceActivities, GuidanceSummary } from '../libs/contracts';
import { findScanResults } from '../libs/db/scans.repository';
import { saveGuidanceEvaluation } from '../libs/db/guidance.repository';
import {
  evaluateGuidance,
  guidanceCatalogue,
  scannerResultOf,
  type GuidanceCatalogue,
} from '../libs/guidance';

/**
 * Evaluates the catalogue against a scan's stored results and stores the tags and compliance,
 * replacing any earlier evaluation. The guidance step of `domainScan`, and re-evaluation of an old
 * scan against a newer catalogue (no rescanning). Null when the scan does not exist.
 */
export async function evaluateScanGuidance(
  dataSource: DataSource,
  scanId: string,
  catalogue: GuidanceCatalogue = guidanceCatalogue(),
): Promise<GuidanceSummary | null> {
  const results = await findScanResults(dataSource, scanId);
  const evaluation = evaluateGuidance(catalogue, results.map(scannerResultOf));
  if (!(await saveGuidanceEvaluation(dataSource, scanId, evaluation))) return null;
  return {
    scanId,
    catalogueVersion: evaluation.catalogueVersion,
    tagCount: evaluation.tags.length,
    web: evaluation.compliance.web,
    mail: evaluation.compliance.mail,
    dmarcPhase: evaluation.compliance.dmarcPhase,
  };
}

export function createGuidanceActivities(deps: { dataSource: DataSource }): GuidanceActivities {
  return {
    async evaluateGuidance({ scanId }) {
      const summary = await evaluateScanGuidance(deps.dataSource, scanId);
      if (!summary) throw ApplicationFailure.nonRetryable(`no scan ${scanId}`, 'ScanNotFound');
      return summary;
    },
  };
}
