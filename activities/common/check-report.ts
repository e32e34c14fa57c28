/**
 * What every mail/DNS posture check returns: findings with stable ids (the guidance catalogue
 * builds on them), plus the structured data behind them.
 */
import type { PostureCheck } from '../../libs/contracts/scan.contract';

export type Severity = 'pass' | 'info' | 'warning' | 'fail';

/** The checks are the contracts' posture checks; one list for the workflow, the API and the engines. */
export type MailDnsCheck = PostureCheck;

export interface Finding {
  /** Stable id, `<check>.<kebab-case>`, e.g. `spf.too-many-lookups`. Defined in the check's catalogue. */
  id: string;
  severity: Severity;
  /** Specific to this domain: what was found, in a sentence a person can act on. */
  message: string;
  /** The record, the lookup, the tag: whatever shows the finding is true. */
  evidence?: Record<string, unknown>;
}

/** One catalogue entry: the general explanation of a finding id. */
export interface FindingDefinition {
  id: string;
  severity: Severity;
  title: string;
  /** What it means and why it matters. */
  explanation: string;
  /** How to fix it (omit for `pass`). */
  fix?: string;
  /** RFCs and national guidance. */
  references: string[];
}

export interface CheckReport<D extends object = Record<string, unknown>> {
  check: MailDnsCheck;
  domain: string;
  /**
   * `completed`: every DNS answer needed was definite (records, NODATA or NXDOMAIN).
   * `unknown`: some could not be determined (timeout, SERVFAIL, refused) — the findings then say
   * only what is certain, and `undetermined` lists what is not. Never a failed check.
   */
  status: 'completed' | 'unknown';
  findings: Finding[];
  data: D;
  undetermined: Array<{ name: string; type: string; code: string }>;
}

/** A report whose status follows from what could not be determined. */
export function checkReport<D extends object>(
  report: Omit<CheckReport<D>, 'status'>,
): CheckReport<D> {
  return { ...report, status: report.undetermined.length > 0 ? 'unknown' : 'completed' };
}
