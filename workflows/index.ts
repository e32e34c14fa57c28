// Every workflow the workers run.
export { domainScan } from './domain-scan.workflow';
export { inventoryImport } from './inventory-import.workflow';
export { timestampResults } from './timestamp-results.workflow';
export { organisationScan } from './organisation-scan.workflow';
export { auditRun } from './audit-run.workflow';
