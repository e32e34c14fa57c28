export * from './entities';
export * from './data-source';
export * from './migration-status';
export * from './scans.repository';
export * from './access.repository';
export * from './bootstrap-admin';
export * from './surface.repository';
export * from './guidance.repository';
