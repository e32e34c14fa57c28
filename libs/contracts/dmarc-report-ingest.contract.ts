/** Ingesting DMARC aggregate reports: bytes from a source → parse → store → enrich. */
export type DmarcReportSource = 'upload' | 'imap' | 'bucket';

export interface DmarcReportIngestInput {
  uploadId: string;
}

export interface DmarcIngestPart {
  part: string;
  /** The stored report (also for a duplicate: the one stored before). */
  reportId?: string;
  reporter?: string;
  reporterReportId?: string;
  domain?: string;
  duplicate?: boolean;
  recordCount?: number;
  warningCount?: number;
  error?: { code: string; message: string };
}

export interface DmarcReportIngestOutcome {
  stored: number;
  duplicates: number;
  failed: number;
  /** Reports stored by this ingest (not duplicates): the enrichment looks at their sources. */
  newReportIds: string[];
}

export interface DmarcEnrichOutcome {
  addresses: number;
  resolved: number;
}

export interface DmarcReportIngestActivities {
  ingestDmarcUpload(input: DmarcReportIngestInput): Promise<DmarcReportIngestOutcome>;
  markDmarcUploadFailed(input: { uploadId: string; error: string }): Promise<void>;
  enrichDmarcSources(input: { reportIds: string[] }): Promise<DmarcEnrichOutcome>;
}

export function dmarcReportIngestWorkflowId(uploadId: string): string {
  return `dmarc-report-ingest:${uploadId}`;
}

/** One message of the polled mailbox: stored as an upload, or refused before that. */
export interface DmarcMailboxMessage {
  uid: number;
  uploadId?: string;
  /** Why it was not stored (too large, unreadable): it goes to the failed folder. */
  refused?: string;
}

export interface DmarcMailboxBatch {
  uidValidity: string;
  messages: DmarcMailboxMessage[];
  /** More messages wait than one batch takes. */
  more: boolean;
}

export interface DmarcMailboxPollOutcome {
  processed: number;
  failed: number;
}

export interface DmarcMailboxActivities {
  fetchDmarcMailbox(): Promise<DmarcMailboxBatch>;
  settleDmarcMailbox(input: {
    uidValidity: string;
    processed: number[];
    failed: number[];
  }): Promise<void>;
}

export const DMARC_MAILBOX_SCHEDULE_ID = 'dmarc-mailbox-poll';
