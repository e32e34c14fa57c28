/**
 * Bucket notifications in the shapes S3-compatible servers send: AWS S3 (`Records`, keys
 * URL-encoded with `+` for spaces), MinIO (the same records plus `EventName`/`Key`), versitygw
 * (AWS records with the key as is, `configurationId` "webhook-global"), and EventBridge's
 * "Object Created" events. Anything else is refused; test events are recognised and ignored.
 */
export interface ObjectCreated {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string | null;
  size: number | null;
}

export class InvalidNotification extends Error {
  override readonly name = 'InvalidNotification';
}

const MAX_RECORDS = 1000;
const str = (v: unknown) => (typeof v === 'string' ? v : null);

function decodeAwsKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new InvalidNotification('object key is not valid URL encoding');
  }
}

function checked(o: ObjectCreated): ObjectCreated {
  if (!o.bucket || o.bucket.length > 63) throw new InvalidNotification('bucket name missing');
  if (!o.key || Buffer.byteLength(o.key) > 1024)
    throw new InvalidNotification('object key missing or over 1024 bytes');
  return {
    ...o,
    etag: o.etag ? o.etag.replace(/^"|"$/g, '') : null,
    versionId: o.versionId || null,
  };
}

/** The created objects a notification announces (other events are left out). */
export function parseBucketNotification(body: unknown): {
  objects: ObjectCreated[];
  test: boolean;
} {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidNotification('expected a JSON object');
  const b = body as Record<string, unknown>;
  if (b.Event === 's3:TestEvent') return { objects: [], test: true };
  if (b['detail-type'] !== undefined) {
    if (b['detail-type'] !== 'Object Created') return { objects: [], test: false };
    const d = (b.detail ?? {}) as Record<string, Record<string, unknown> | undefined>;
    return {
      test: false,
      objects: [
        checked({
          bucket: str(d.bucket?.name) ?? '',
          key: str(d.object?.key) ?? '',
          versionId: str(d.object?.['version-id']),
          etag: str(d.object?.etag),
          size: typeof d.object?.size === 'number' ? d.object.size : null,
        }),
      ],
    };
  }
  if (!Array.isArray(b.Records)) throw new InvalidNotification('no Records');
  if (b.Records.length > MAX_RECORDS) throw new InvalidNotification(`over ${MAX_RECORDS} records`);
  const objects: ObjectCreated[] = [];
  for (const record of b.Records as Array<Record<string, unknown>>) {
    const name = str(record?.eventName) ?? '';
    if (!/^(s3:)?ObjectCreated:/.test(name)) continue;
    const s3 = (record.s3 ?? {}) as Record<string, Record<string, unknown> | string | undefined>;
    const bucket = s3.bucket as Record<string, unknown> | undefined;
    const object = s3.object as Record<string, unknown> | undefined;
    const rawKey = str(object?.key) ?? '';
    // versitygw sends keys as they are; AWS and MinIO URL-encode them.
    const literal = s3.configurationId === 'webhook-global' && str(record.eventVersion) === '2.2';
    objects.push(
      checked({
        bucket: str(bucket?.name) ?? '',
        key: literal ? rawKey : decodeAwsKey(rawKey),
        versionId: str(object?.versionId),
        etag: str(object?.eTag) ?? str(object?.etag),
        size: typeof object?.size === 'number' ? object.size : null,
      }),
    );
  }
  return { objects, test: false };
}
