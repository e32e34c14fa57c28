/** Task queues per class of work; a worker polls the ones its configuration names. */
export const TaskQueues = {
  domainScans: 'perimeter-domain-scans',
  /** CPU-heavy inventory imports, kept apart so they never delay scans. */
  surface: 'perimeter-surface',
  /** Bucket malware scanning: streams objects from S3 to clamd. */
  buckets: 'perimeter-buckets',
  /** DMARC aggregate report ingest (parse, store, enrich) and mailbox polling. */
  dmarcReports: 'perimeter-dmarc-reports',
} as const;

export type TaskQueue = (typeof TaskQueues)[keyof typeof TaskQueues];
