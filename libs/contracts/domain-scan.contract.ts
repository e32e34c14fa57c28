import { defineQuery } from '@temporalio/workflow';
import type { DomainScanner, ResultStatus, ScannerState, ScanStatus } from './scan.contract';

export interface DomainScanInput {
  scanId: string;
  /** ASCII (A-label) form, already validated by the API. */
  domain: string;
  scanners: DomainScanner[];
  /** DKIM selectors to try besides the built-in catalogue (given now, or remembered for the domain). */
  dkimSelectors?: string[];
}

/** What a posture-check activity needs. */
export interface PostureCheckInput {
  scanId: string;
  domain: string;
  dkimSelectors?: string[];
}

export interface ScannerProgress {
  scanner: DomainScanner;
  state: ScannerState;
  resultStatus?: ResultStatus;
  error?: string;
}

export interface DomainScanProgress {
  scanId: string;
  status: ScanStatus;
  scanners: ScannerProgress[];
}

/** What an activity returns to the workflow: a summary only; the result itself lives in Postgres. */
export interface ScannerSummary {
  scanner: DomainScanner;
  status: ResultStatus;
  resultId: string;
}

/** Live progress of a running scan; answered by the workflow, never mutating it. */
export const domainScanProgressQuery = defineQuery<DomainScanProgress>('progress');

/** Attempts per scanner activity; the last attempt records "unknown" rather than failing. */
export const SCANNER_MAX_ATTEMPTS = 3;
