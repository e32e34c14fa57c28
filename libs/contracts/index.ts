export * from './task-queues';
export * from './search-attributes';
export * from './scan.contract';
export * from './domain-scan.contract';
export * from './domain-scan.activities.contract';
export * from './inventory-import.contract';
export * from './guidance.contract';
export * from './proof.contract';
