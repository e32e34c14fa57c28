import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { GuidanceActivities, GuidanceSummary } from '../libs/contracts';
import { dmarcFailingSources } from '../libs/db/dmarc-report-queries';
import { findScanResults } from '../libs/db/scans.repository';
import { saveGuidanceEvaluation } from '../libs/db/guidance.repository';
import {
  evaluateGuidance,
  guidanceCatalogue,
  scannerResultOf,
  type GuidanceCatalogue,
  type ScannerResult,
} from '../libs/guidance';
import { dmarcReportFindings } from './dmarc-reports/dmarc-reports.findings';

/** Days of DMARC aggregate reports, up to the scan's day, that feed its guidance. */
export const DMARC_REPORT_DAYS = 30;

/**
 * What the domain's received DMARC reports say over the days up to the scan, as one more result
 * for the rules (`dmarc-reports.*` findings); null when no report covered those days. Re-evaluating
 * an old scan reads the same window, so it also sees reports that arrived after the scan.
 */
async function dmarcReportResult(
  dataSource: DataSource,
  scanId: string,
): Promise<ScannerResult | null> {
  const [scan] = (await dataSource.query(
    `SELECT organisation_id AS "organisationId", target,
            to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "toDay",
            to_char((requested_at AT TIME ZONE 'UTC') - make_interval(days => $2), 'YYYY-MM-DD') AS "fromDay"
       FROM scan WHERE id = $1 AND kind = 'domain'`,
    [scanId, DMARC_REPORT_DAYS - 1],
  )) as Array<{ organisationId: string; target: string; fromDay: string; toDay: string }>;
  if (!scan) return null;
  const period = { ...scan, domain: scan.target };
  const facts = { ...period, ...(await dmarcFailingSources(dataSource, period)) };
  const findings = dmarcReportFindings(facts);
  if (findings.length === 0) return null;
  return { scanner: 'dmarc-reports', status: 'completed', findings, data: facts };
}

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
  const results = (await findScanResults(dataSource, scanId)).map(scannerResultOf);
  const reports = await dmarcReportResult(dataSource, scanId);
  const evaluation = evaluateGuidance(catalogue, reports ? [...results, reports] : results);
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
