import { describe, expect, it } from 'vitest';
import { InvalidNotification, parseBucketNotification as sut } from './bucket-events';

const record = (over: Record<string, unknown>, object: Record<string, unknown>) => ({
  eventVersion: '2.1',
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: 'uploads' }, object },
  ...over,
});

describe('parseBucketNotification', () => {
  it('decodes AWS keys (URL encoding, + for space) and strips ETag quotes', () => {
    const parsed = sut({
      Records: [record({}, { key: 'a+b/caf%C3%A9%2B1.pdf', eTag: '"abc"', size: 3 })],
    });
    expect(parsed.objects).toEqual([
      { bucket: 'uploads', key: 'a b/café+1.pdf', versionId: null, etag: 'abc', size: 3 },
    ]);
  });

  it('takes MinIO records (s3: prefixed event names, version ids)', () => {
    const parsed = sut({
      EventName: 's3:ObjectCreated:Put',
      Key: 'uploads/x y',
      Records: [
        record(
          { eventVersion: '2.0', eventName: 's3:ObjectCreated:Put' },
          { key: 'x+y', eTag: 'e1', versionId: 'v-1', size: 1 },
        ),
      ],
    });
    expect(parsed.objects[0]).toMatchObject({ key: 'x y', versionId: 'v-1', etag: 'e1' });
  });

  it('keeps versitygw keys as they are (it does not encode them)', () => {
    const parsed = sut({
      Records: [
        {
          eventVersion: '2.2',
          eventName: 's3:ObjectCreated:Put',
          s3: {
            configurationId: 'webhook-global',
            bucket: { name: 'uploads' },
            object: { key: 'a+b/100%.txt', eTag: '"e"', versionId: null, size: 0 },
          },
        },
      ],
    });
    expect(parsed.objects[0]).toMatchObject({ key: 'a+b/100%.txt', etag: 'e', size: 0 });
  });

  it('reads EventBridge "Object Created" events', () => {
    const parsed = sut({
      'detail-type': 'Object Created',
      detail: {
        bucket: { name: 'uploads' },
        object: { key: 'k', etag: 'e', 'version-id': 'v', size: 9 },
      },
    });
    expect(parsed.objects).toEqual([
      { bucket: 'uploads', key: 'k', versionId: 'v', etag: 'e', size: 9 },
    ]);
  });

  it('recognises test events and leaves out other event kinds', () => {
    expect(sut({ Service: 'S3', Event: 's3:TestEvent' })).toEqual({ objects: [], test: true });
    const removed = sut({
      Records: [record({ eventName: 's3:ObjectRemoved:Delete' }, { key: 'k' })],
    });
    expect(removed.objects).toEqual([]);
  });

  it('refuses what is not a notification', () => {
    for (const bad of [
      null,
      [],
      'text',
      { Records: 5 },
      { Records: [record({}, { key: '' })] },
      { Records: [record({}, { key: '%E0%A4%A' })] },
      { Records: [record({}, { key: 'k'.repeat(1025) })] },
      { Records: Array.from({ length: 1001 }, () => record({}, { key: 'k' })) },
    ]) {
      expect(() => sut(bad)).toThrow(InvalidNotification);
    }
  });
});
