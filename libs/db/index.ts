export * from './entities';
export * from './data-source';
export * from './migration-status';
export * from './scans.repository';
