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

/** One object under the reports prefix, stored as an upload (or refused before that). */
export interface DmarcBucketObject {
  key: string;
  uploadId?: string;
  /** Why it was not stored (too large, gone). */
  refused?: string;
}

export interface DmarcBucketPage {
  objects: DmarcBucketObject[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

export interface DmarcBucketSweepOutcome {
  /** Objects stored as uploads and ingested by this run. */
  ingested: number;
  /** Objects taken by an earlier run, unchanged since: not read again. */
  skipped: number;
  refused: number;
}

export interface DmarcBucketActivities {
  /**
   * One page of objects under the prefix: new or changed objects (by ETag) become uploads;
   * objects already taken in the same version are counted as skipped.
   */
  fetchDmarcBucketPage(input: {
    startAfter?: string;
  }): Promise<DmarcBucketPage & { skipped: number }>;
}

export const DMARC_BUCKET_SCHEDULE_ID = 'dmarc-bucket-sweep';
