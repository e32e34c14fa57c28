import { S3Client } from '@aws-sdk/client-s3';

/** Where Perimeter reaches S3: AWS itself, MinIO, versitygw, … — plain S3 either way. */
export interface S3ConnectionConfig {
  /** Omit for AWS S3; `http://127.0.0.1:7070` for a local gateway. */
  endpoint: string | undefined;
  region: string;
  /** Omit both to use the SDK's default credential chain (instance roles, profiles). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** Path-style URLs (`endpoint/bucket/key`): what MinIO and versitygw expect by default. */
  forcePathStyle: boolean;
}

export function createS3Client(config: S3ConnectionConfig): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    // Checksums on every request are an AWS default that older S3 servers reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}
