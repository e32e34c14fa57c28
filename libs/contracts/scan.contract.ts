/** Shared vocabulary of scans, used by the API, the workflows and the activities. */
export const ScanKinds = ['domain'] as const;
export type ScanKind = (typeof ScanKinds)[number];

export const ScanStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ScanStatus = (typeof ScanStatuses)[number];

/** Scanners of a domain scan; each is one activity with its own result row. */
export const DomainScanners = ['dns'] as const;
export type DomainScanner = (typeof DomainScanners)[number];

export const ScannerStates = ['pending', 'running', 'done', 'failed'] as const;
export type ScannerState = (typeof ScannerStates)[number];

/** Outcome of one scanner: `completed` holds findings; `unknown` means it could not determine them. */
export const ResultStatuses = ['completed', 'unknown', 'failed'] as const;
export type ResultStatus = (typeof ResultStatuses)[number];

export function domainScanWorkflowId(scanId: string): string {
  return `domain-scan:${scanId}`;
}
