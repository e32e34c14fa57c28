import type { DataSource } from 'typeorm';
import type { PerimeterConfig } from '../libs/config/config';
import { createScannerResolver } from '../libs/net/scanner-resolver';
import { createS3Client } from '../libs/s3';
import { createDmarcBucketActivities } from './dmarc-bucket.activities';
import { createDmarcMailboxActivities } from './dmarc-mailbox.activities';
import { createDmarcReportIngestActivities } from './dmarc-report-ingest.activities';
import { IpDatabase } from './dmarc-reports/ip-database';
import { loadSenderCatalogue, senderIndex } from './dmarc-reports/sender-catalogue';

/** Every activity of the DMARC reports task queue, built from the configuration. */
export function createDmarcReportsActivities(deps: {
  config: PerimeterConfig;
  dataSource: DataSource;
}) {
  const { config } = deps;
  const resolver = createScannerResolver({
    servers: config.scanners.resolvers,
    timeoutMs: config.scanners.dnsTimeoutMs,
    tries: config.scanners.dnsTries,
  });
  let s3: ReturnType<typeof createS3Client> | undefined;
  return {
    ...createDmarcBucketActivities({
      dataSource: deps.dataSource,
      s3: () => (s3 ??= createS3Client(config.s3)),
      settings: config.dmarc.bucket,
      maxObjectBytes: config.dmarc.uploadMaxBytes,
    }),
    ...createDmarcMailboxActivities({
      dataSource: deps.dataSource,
      settings: config.dmarc.imap,
      maxMessageBytes: config.dmarc.uploadMaxBytes,
    }),
    ...createDmarcReportIngestActivities({
      dataSource: deps.dataSource,
      resolver,
      limits: {
        maxDecompressedBytes: config.dmarc.maxDecompressedBytes,
        maxZipEntries: config.dmarc.maxZipEntries,
        maxEmailBytes: config.dmarc.uploadMaxBytes,
      },
      enrich: {
        senders: senderIndex(loadSenderCatalogue(config.dmarc.senderCatalogue)),
        ipDatabase: config.dmarc.ipDatabase ? IpDatabase.load(config.dmarc.ipDatabase) : undefined,
        extraPublicSuffixes: config.scanners.extraPublicSuffixes,
        ttlSeconds: config.dmarc.rdnsTtlSeconds,
        errorTtlSeconds: 600,
      },
    }),
  };
}
