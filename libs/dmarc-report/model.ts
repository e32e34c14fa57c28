/** One aggregate report as Perimeter keeps it, whatever schema the reporter used. */

/** `rfc7489`: version 1.0 without namespace; `draft`: the pre-RFC shape (no <version>); `rfc9990`. */
export type DmarcReportSchema = 'rfc7489' | 'draft' | 'rfc9990';

export interface ReportMetadata {
  orgName: string;
  email: string | null;
  extraContactInfo: string | null;
  reportId: string;
  /** Unix seconds as given; `begin` may equal `end` (a warning says so). */
  begin: number;
  end: number;
  /** <error> elements the reporter included. */
  errors: string[];
  /** RFC 9990 <generator>. */
  generator: string | null;
}

export interface PolicyPublished {
  domain: string;
  adkim: string | null;
  aspf: string | null;
  p: string | null;
  sp: string | null;
  /** RFC 9990 only. */
  np: string | null;
  /** Removed by RFC 9990; kept when sent. */
  pct: number | null;
  fo: string | null;
  /** RFC 9990 `testing` (y/n). */
  testing: string | null;
  /** RFC 9990 `discovery_method` (psl/treewalk). */
  discoveryMethod: string | null;
}

export interface PolicyOverrideReason {
  type: string;
  comment: string | null;
}

export interface DkimAuthResult {
  domain: string;
  selector: string | null;
  result: string;
  humanResult: string | null;
}

export interface SpfAuthResult {
  domain: string;
  scope: string | null;
  result: string;
  humanResult: string | null;
}

export interface ReportRecord {
  sourceIp: string;
  count: number;
  disposition: string;
  /** Policy-evaluated (aligned) results: `pass` or `fail`. */
  dkim: string | null;
  spf: string | null;
  reasons: PolicyOverrideReason[];
  headerFrom: string | null;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  dkimResults: DkimAuthResult[];
  spfResults: SpfAuthResult[];
}

export interface ReportHeader {
  schema: DmarcReportSchema;
  /** The <version> text, or null when absent. */
  version: string | null;
  /** Whether the RFC 9990 namespace was declared. */
  namespaced: boolean;
  metadata: ReportMetadata;
  policy: PolicyPublished;
}

export interface AggregateReport extends ReportHeader {
  records: ReportRecord[];
  /** What the parser skipped or repaired, in words. */
  warnings: string[];
}

/** Totals every parse returns, also when records were streamed out instead of collected. */
export interface ReportTotals {
  recordCount: number;
  messageCount: number;
  /** Bytes of XML read. */
  bytes: number;
}
