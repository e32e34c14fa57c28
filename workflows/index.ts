// Every workflow the workers run.
export { domainScan } from './domain-scan.workflow';
export { inventoryImport } from './inventory-import.workflow';
export { objectScan } from './object-scan.workflow';
export { bucketSweep } from './bucket-sweep.workflow';
