export * from './s3-client';
export * from './s3-objects';
