export * from './guidance-tag';
export * from './scan-facts';
export * from './rule';
export * from './mail-rules';
export * from './compliance';
export * from './catalogue';
export * from './evaluate';
export { findingEnrichment, type TagEnrichment } from './tracker-tags';
