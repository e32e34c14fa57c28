import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { DmarcBucketActivities, DmarcBucketObject } from '../libs/contracts';
import { createDmarcUpload, findDmarcUploadBySource } from '../libs/db/dmarc-reports.repository';
import { readObjectBounded, S3ObjectNotFound, stripEtagQuotes } from '../libs/s3';

const PAGE = 50;

export interface DmarcBucketSettings {
  bucket: string;
  /** Where reports land, e.g. `dmarc/` (MailCheck's mail pipeline writes them under a prefix). */
  prefix: string;
  /** Slug of the organisation the reports belong to. */
  organisation: string;
}

export interface DmarcBucketDeps {
  dataSource: DataSource;
  s3: () => S3Client;
  settings: DmarcBucketSettings | undefined;
  maxObjectBytes: number;
}

/**
 * The bucket source: every object under the prefix becomes an upload (the same pipeline as API
 * uploads and the mailbox), once per object version — the source reference carries the ETag, so a
 * rewritten object is read again and an unchanged one never is. Objects stay where they are.
 */
export function createDmarcBucketActivities(deps: DmarcBucketDeps): DmarcBucketActivities {
  return {
    async fetchDmarcBucketPage({ startAfter }) {
      const s = deps.settings;
      if (!s) {
        throw ApplicationFailure.nonRetryable(
          'no report bucket configured (DMARC_BUCKET_NAME)',
          'NoBucket',
        );
      }
      const [org] = (await deps.dataSource.query(`SELECT id FROM organisation WHERE slug = $1`, [
        s.organisation,
      ])) as Array<{ id: string }>;
      if (!org) {
        throw ApplicationFailure.nonRetryable(
          `DMARC_BUCKET_ORGANISATION: no organisation "${s.organisation}"`,
          'UnknownOrganisation',
        );
      }
      const s3 = deps.s3();
      const listed = await s3.send(
        new ListObjectsV2Command({
          Bucket: s.bucket,
          Prefix: s.prefix,
          MaxKeys: PAGE,
          ...(startAfter ? { StartAfter: startAfter } : {}),
        }),
      );
      const objects: DmarcBucketObject[] = [];
      let skipped = 0;
      for (const o of listed.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue; // folder markers
        Context.current().heartbeat(o.Key);
        const etag = stripEtagQuotes(o.ETag);
        const sourceRef = `${s.bucket}/${o.Key}#${etag}`;
        const existing = await findDmarcUploadBySource(
          deps.dataSource,
          org.id,
          'bucket',
          sourceRef,
        );
        if (existing) {
          // Taken before: ingested already, or its ingest is still to run (a retried page).
          if (existing.status === 'pending') objects.push({ key: o.Key, uploadId: existing.id });
          else skipped++;
          continue;
        }
        if ((o.Size ?? 0) > deps.maxObjectBytes) {
          objects.push({ key: o.Key, refused: `object of ${o.Size} bytes is over the limit` });
          continue;
        }
        let content: Buffer | undefined;
        try {
          content = await readObjectBounded(
            s3,
            { bucket: s.bucket, key: o.Key, versionId: null },
            deps.maxObjectBytes,
            etag,
          );
        } catch (err) {
          if (!(err instanceof S3ObjectNotFound)) throw err;
          objects.push({ key: o.Key, refused: 'deleted while the sweep ran' });
          continue;
        }
        if (!content) {
          objects.push({ key: o.Key, refused: 'object grew over the limit while read' });
          continue;
        }
        const upload = await createDmarcUpload(deps.dataSource, {
          organisationId: org.id,
          source: 'bucket',
          sourceRef,
          content,
          createdBy: 'bucket',
        });
        objects.push({ key: o.Key, uploadId: upload.id });
      }
      const last = listed.Contents?.at(-1)?.Key;
      return { objects, skipped, ...(listed.IsTruncated && last ? { next: last } : {}) };
    },
  };
}
