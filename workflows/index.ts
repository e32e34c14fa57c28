// Every workflow the workers run.
export { domainScan } from './domain-scan.workflow';
export { inventoryImport } from './inventory-import.workflow';
export { dmarcReportIngest } from './dmarc-report-ingest.workflow';
export { dmarcMailboxPoll } from './dmarc-mailbox-poll.workflow';
