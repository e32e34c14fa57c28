/** Bucket malware scanning: one workflow per object version, and sweeps over whole buckets. */

export type BucketVerdict = 'CLEAN' | 'INFECTED' | 'SKIPPED' | 'ERROR';

export interface ObjectScanInput {
  bucketId: string;
  bucket: string;
  key: string;
  /** From the notification; null on unversioned buckets. */
  versionId: string | null;
  etag: string | null;
  /** Attempts at reaching clamd and S3 before the verdict is ERROR. */
  scanAttempts: number;
}

export interface ObjectScanOutcome {
  /** Null when the object was gone or replaced before it could be scanned. */
  resultId: string | null;
  verdict: BucketVerdict | null;
  /** A result with the current signature database existed: nothing was scanned again. */
  alreadyScanned: boolean;
}

export interface SweepFilters {
  /** Keys must end with one of these (case-insensitive); empty means any. */
  suffixes: string[];
  minSize: number | null;
  maxSize: number | null;
}

export interface BucketSweepInput {
  sweepId: string;
  bucketId: string;
  scanAttempts: number;
  /** Where a continued run picks up the listing. */
  continuationToken?: string | null;
  totals?: { listed: number; alreadyScanned: number };
}

export interface SweepObject {
  key: string;
  etag: string;
  size: number;
}

export interface BucketScanActivities {
  scanObject(input: ObjectScanInput): Promise<ObjectScanOutcome>;
  recordScanError(input: ObjectScanInput & { message: string }): Promise<ObjectScanOutcome>;
  applyScanActions(input: { resultId: string }): Promise<void>;
  notifyScanWebhook(input: { resultId: string }): Promise<void>;
  markSweepRunning(input: { sweepId: string }): Promise<void>;
  listSweepPage(input: {
    sweepId: string;
    continuationToken: string | null;
    totals: { listed: number; alreadyScanned: number };
  }): Promise<{
    objects: SweepObject[];
    next: string | null;
    totals: { listed: number; alreadyScanned: number };
  }>;
  scanSweepBatch(input: {
    sweepId: string;
    objects: SweepObject[];
    scanAttempts: number;
  }): Promise<{ scanned: number }>;
  finishSweep(input: { sweepId: string; error?: string }): Promise<void>;
}

/** Progress of a sweep, answered by the `sweepProgress` query. */
export interface SweepProgress {
  listed: number;
  alreadyScanned: number;
  scanned: number;
  /** Pages listed in this run (a run continues as new every 20 pages). */
  pages: number;
}

/** Same object version → same ID: a repeated notification cannot start a second scan. */
export function objectScanWorkflowId(
  bucketId: string,
  keyDigest: string,
  version: { versionId: string | null; etag: string | null },
): string {
  const v = version.versionId ? `v:${version.versionId}` : `e:${version.etag ?? 'none'}`;
  return `bucket-object-scan:${bucketId}:${keyDigest}:${v}`;
}

export function bucketSweepWorkflowId(sweepId: string): string {
  return `bucket-sweep:${sweepId}`;
}
