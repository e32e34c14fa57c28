import type { PostureCheckInput, ScannerSummary } from './domain-scan.contract';
import type { DomainScanner, PostureCheck, ScanStatus } from './scan.contract';

/** The activities `domainScan` calls; workflows import this type only. */
export interface DomainScanActivities {
  markScanRunning(scanId: string): Promise<void>;
  dnsInventory(input: { scanId: string; domain: string }): Promise<ScannerSummary>;
  checkDmarc(input: PostureCheckInput): Promise<ScannerSummary>;
  checkSpf(input: PostureCheckInput): Promise<ScannerSummary>;
  checkDkim(input: PostureCheckInput): Promise<ScannerSummary>;
  checkMx(input: PostureCheckInput): Promise<ScannerSummary>;
  checkMtaSts(input: PostureCheckInput): Promise<ScannerSummary>;
  checkTlsRpt(input: PostureCheckInput): Promise<ScannerSummary>;
  checkBimi(input: PostureCheckInput): Promise<ScannerSummary>;
  checkDnssec(input: PostureCheckInput): Promise<ScannerSummary>;
  checkCaa(input: PostureCheckInput): Promise<ScannerSummary>;
  checkTls(input: PostureCheckInput): Promise<ScannerSummary>;
  checkSmtp(input: PostureCheckInput): Promise<ScannerSummary>;
  checkWeb(input: PostureCheckInput): Promise<ScannerSummary>;
  finishScan(input: {
    scanId: string;
    status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>;
    error?: string;
    /** Scanners whose activity failed for good: each gets a `failed` result row. */
    failures: Array<{ scanner: DomainScanner; error: string }>;
  }): Promise<void>;
}

/** The activity that runs each posture check. */
export const postureCheckActivity = {
  dmarc: 'checkDmarc',
  spf: 'checkSpf',
  dkim: 'checkDkim',
  mx: 'checkMx',
  'mta-sts': 'checkMtaSts',
  'tls-rpt': 'checkTlsRpt',
  bimi: 'checkBimi',
  dnssec: 'checkDnssec',
  tls: 'checkTls',
  smtp: 'checkSmtp',
  caa: 'checkCaa',
  web: 'checkWeb',
} as const satisfies Record<PostureCheck, keyof DomainScanActivities>;
