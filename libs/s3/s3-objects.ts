import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/** One object version as Perimeter identifies it. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  /** Null on unversioned buckets. */
  versionId: string | null;
}

export interface S3ObjectHead {
  size: number;
  /** Without the quotes S3 puts around it. */
  etag: string;
  versionId: string | null;
  lastModified: Date | null;
}

export class S3ObjectNotFound extends Error {
  override readonly name = 'S3ObjectNotFound';
}

export const stripEtagQuotes = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

const version = (ref: S3ObjectRef) => (ref.versionId ? { VersionId: ref.versionId } : {});

export async function headObject(s3: S3Client, ref: S3ObjectRef): Promise<S3ObjectHead> {
  try {
    const h = await s3.send(
      new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }),
    );
    return {
      size: h.ContentLength ?? 0,
      etag: stripEtagQuotes(h.ETag),
      versionId: h.VersionId && h.VersionId !== 'null' ? h.VersionId : null,
      lastModified: h.LastModified ?? null,
    };
  } catch (err) {
    if (isNotFound(err)) throw new S3ObjectNotFound(`s3://${ref.bucket}/${ref.key} is gone`);
    throw err;
  }
}

/** The object's bytes as a stream (never buffered whole); `ifMatch` pins the ETag that was seen. */
export async function openObject(
  s3: S3Client,
  ref: S3ObjectRef,
  ifMatch?: string,
  signal?: AbortSignal,
): Promise<Readable> {
  try {
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...version(ref),
        ...(ifMatch ? { IfMatch: `"${ifMatch}"` } : {}),
      }),
      { abortSignal: signal },
    );
    return res.Body as Readable;
  } catch (err) {
    if (isNotFound(err)) throw new S3ObjectNotFound(`s3://${ref.bucket}/${ref.key} is gone`);
    throw err;
  }
}

/**
 * The object's bytes in memory, for small objects only: undefined as soon as more than `limit`
 * bytes arrive (the read stops there). `ifMatch` pins the ETag that was seen.
 */
export async function readObjectBounded(
  s3: S3Client,
  ref: S3ObjectRef,
  limit: number,
  ifMatch?: string,
): Promise<Buffer | undefined> {
  const body = await openObject(s3, ref, ifMatch);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Sets `tags` on the object, keeping its other tags. */
export async function mergeObjectTags(
  s3: S3Client,
  ref: S3ObjectRef,
  tags: Record<string, string>,
): Promise<void> {
  const current = await s3.send(
    new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }),
  );
  const kept = (current.TagSet ?? []).filter((t) => !(t.Key! in tags));
  const TagSet: Tag[] = [...kept, ...Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))];
  await s3.send(
    new PutObjectTaggingCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ...version(ref),
      Tagging: { TagSet },
    }),
  );
}

export async function deleteObject(s3: S3Client, ref: S3ObjectRef): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }));
}

/** Server-side copy keeping metadata and tags (COPY directives), so nothing passes through us. */
export async function copyObject(
  s3: S3Client,
  from: S3ObjectRef,
  to: { bucket: string; key: string },
): Promise<void> {
  const source = `${from.bucket}/${encodeURIComponent(from.key).replace(/%2F/g, '/')}`;
  await s3.send(
    new CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: from.versionId ? `${source}?versionId=${from.versionId}` : source,
      MetadataDirective: 'COPY',
      TaggingDirective: 'COPY',
    }),
  );
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

/** One page of a bucket listing; `next` continues it, null at the end. */
export async function listObjectsPage(
  s3: S3Client,
  bucket: string,
  opts: { prefix?: string; continuationToken?: string | null; pageSize?: number },
): Promise<{ objects: ListedObject[]; next: string | null }> {
  const res = await s3.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: opts.prefix || undefined,
      ContinuationToken: opts.continuationToken ?? undefined,
      MaxKeys: opts.pageSize ?? 1000,
    }),
  );
  return {
    objects: (res.Contents ?? []).map((o) => ({
      key: o.Key!,
      size: o.Size ?? 0,
      etag: stripEtagQuotes(o.ETag),
    })),
    next: res.IsTruncated ? (res.NextContinuationToken ?? null) : null,
  };
}
