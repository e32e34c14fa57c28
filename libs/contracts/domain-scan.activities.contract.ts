import type { ScannerSummary } from './domain-scan.contract';
import type { DomainScanner, ScanStatus } from './scan.contract';

/** The activities `domainScan` calls; workflows import this type only. */
export interface DomainScanActivities {
  markScanRunning(scanId: string): Promise<void>;
  dnsInventory(input: { scanId: string; domain: string }): Promise<ScannerSummary>;
  finishScan(input: {
    scanId: string;
    status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>;
    error?: string;
    /** Scanners whose activity failed for good: each gets a `failed` result row. */
    failures: Array<{ scanner: DomainScanner; error: string }>;
  }): Promise<void>;
}
