import type { CheckReport, Finding } from '../common/check-report';
import { MtaStsFindings } from './mta-sts.findings';
import type { MtaStsData } from './mta-sts.scanner';

/**
 * Compares a report with the policy id seen by the previous scan of the domain (RFC 8461 §3.1:
 * a changed id makes senders refetch the policy). Pure: the caller supplies the previous id.
 */
export function withIdChange(
  report: CheckReport<MtaStsData>,
  previousId: string | null | undefined,
): CheckReport<MtaStsData> {
  const current = report.data.id;
  if (!previousId || !current || previousId === current) return report;
  const definition = MtaStsFindings['mta-sts.id-changed'];
  const finding: Finding = {
    id: definition.id,
    severity: definition.severity,
    message: `The MTA-STS policy id changed from "${previousId}" to "${current}" since the last scan: senders that cached the policy fetch it again.`,
    evidence: { previousId, id: current },
  };
  return { ...report, findings: [...report.findings, finding] };
}
