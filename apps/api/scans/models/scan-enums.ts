import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums for the stored lowercase values (`QUEUED` ↔ `queued`). */
export const ScanStatusEnum = {
  QUEUED: 'queued',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;
registerEnumType(ScanStatusEnum, { name: 'ScanStatus' });

export const ScanKindEnum = { DOMAIN: 'domain' } as const;
registerEnumType(ScanKindEnum, { name: 'ScanKind' });

export const ResultStatusEnum = {
  COMPLETED: 'completed',
  UNKNOWN: 'unknown',
  FAILED: 'failed',
} as const;
registerEnumType(ResultStatusEnum, {
  name: 'ResultStatus',
  valuesMap: {
    COMPLETED: { description: 'The scanner determined its findings.' },
    UNKNOWN: { description: 'The scanner could not determine its findings (e.g. timeouts).' },
    FAILED: { description: 'The scanner failed after its retries.' },
  },
});

export const ScannerStateEnum = {
  PENDING: 'pending',
  RUNNING: 'running',
  DONE: 'done',
  FAILED: 'failed',
  COULD_NOT_DETERMINE: 'could-not-determine',
  CANCELLED: 'cancelled',
} as const;
registerEnumType(ScannerStateEnum, {
  name: 'ScannerState',
  valuesMap: {
    DONE: { description: 'Finished with its findings.' },
    FAILED: { description: 'Failed after its retries (or with the scan).' },
    COULD_NOT_DETERMINE: { description: 'Finished, but answers stayed incomplete (timeouts).' },
    CANCELLED: { description: 'Stopped because the scan was cancelled.' },
  },
});
