import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config';
import { deliverWebhook, signWebhook, WebhookRejected } from './scan-webhook';

describe('bucket scan webhooks', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('signs "<timestamp>.<body>" with HMAC-SHA256', () => {
    const mac = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhook('k', '{"a":1}', 1700000000)).toBe(`t=1700000000,v1=${mac}`);
  });

  it('delivers signed JSON; 5xx is retryable, other 4xx is final', async () => {
    status = 200;
    expect(
      await deliverWebhook(url, 'secret-secret-secret', { verdict: 'INFECTED' }, 'd1', {
        allowPrivateTargets: true,
      }),
    ).toBe(200);
    const last = seen.at(-1)!;
    expect(last.headers['x-perimeter-delivery']).toBe('d1');
    const [t, v1] = String(last.headers['x-perimeter-signature']).split(',');
    expect(v1).toBe(
      `v1=${createHmac('sha256', 'secret-secret-secret')
        .update(`${t!.slice(2)}.${last.body}`)
        .digest('hex')}`,
    );
    status = 503;
    const retryable = deliverWebhook(url, 's', {}, 'd2', { allowPrivateTargets: true });
    await expect(retryable).rejects.toThrow('webhook answered 503');
    await expect(retryable).rejects.not.toBeInstanceOf(WebhookRejected);
    status = 404;
    await expect(
      deliverWebhook(url, 's', {}, 'd3', { allowPrivateTargets: true }),
    ).rejects.toBeInstanceOf(WebhookRejected);
  });

  it('refuses webhook hosts on private networks unless ALLOW_PRIVATE_TARGETS', async () => {
    const before = seen.length;
    await expect(
      deliverWebhook(url, 's', {}, 'd4', { allowPrivateTargets: false }),
    ).rejects.toThrow(/non-public address \(127\.0\.0\.1\)/);
    expect(seen.length).toBe(before);
  });
});

describe('bucket scanning configuration', () => {
  it('reads S3 and clamd settings, with defaults', () => {
    const c = loadConfig({
      S3_ENDPOINT: 'http://127.0.0.1:7070',
      S3_ACCESS_KEY_ID: 'a',
      S3_SECRET_ACCESS_KEY: 'b',
      S3_FORCE_PATH_STYLE: 'true',
      CLAMD_ADDRESS: '/run/clamav/clamd.ctl',
    });
    expect(c.s3).toEqual({
      endpoint: 'http://127.0.0.1:7070',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
    });
    expect(c.buckets).toMatchObject({
      clamdAddress: '/run/clamav/clamd.ctl',
      maxObjectBytes: 100 * 1024 * 1024,
      scanAttempts: 5,
      sweepConcurrency: 4,
      notificationSecret: undefined,
    });
  });

  it('lists what is wrong', () => {
    expect(() =>
      loadConfig({
        S3_ACCESS_KEY_ID: 'a',
        CLAMD_ADDRESS: 'clamd',
        BUCKET_NOTIFICATION_SECRET: 'short',
      }),
    ).toThrow(
      /CLAMD_ADDRESS: expected host:port[\s\S]*BUCKET_NOTIFICATION_SECRET: must be at least 16/,
    );
    expect(() => loadConfig({ S3_ACCESS_KEY_ID: 'a' })).toThrow(
      /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither/,
    );
  });
});
