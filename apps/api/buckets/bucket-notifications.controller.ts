import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { PerimeterConfig } from '../../../libs/config/config';
import { Public } from '../auth/authorize.decorator';
import type { AuthedRequest } from '../auth/request-context';
import { graphQLError } from '../common/graphql-errors';
import { CONFIG } from '../tokens';
import { InvalidNotification, parseBucketNotification } from './bucket-events';
import { BucketsService } from './buckets.service';

export const BUCKET_NOTIFICATIONS_PATH = '/buckets/notifications';
const MAX_BODY = 1024 * 1024;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

async function rawBody(req: AuthedRequest): Promise<Buffer> {
  if (Number(req.headers['content-length']) > MAX_BODY)
    throw graphQLError('PAYLOAD_TOO_LARGE', `notifications are limited to ${MAX_BODY} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      req.destroy();
      throw graphQLError('PAYLOAD_TOO_LARGE', `notifications are limited to ${MAX_BODY} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Bucket notifications from S3-compatible servers. The sender proves it knows
 * BUCKET_NOTIFICATION_SECRET: `X-Perimeter-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, or
 * for servers that cannot sign (versitygw, MinIO), `?token=<secret>` in the webhook URL.
 */
@Controller('buckets/notifications')
export class BucketNotificationsController {
  constructor(
    private readonly buckets: BucketsService,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  async receive(@Req() req: AuthedRequest) {
    const secret = this.config.buckets.notificationSecret;
    if (!secret)
      throw graphQLError('FORBIDDEN', 'bucket notifications are off (BUCKET_NOTIFICATION_SECRET)');
    const body = await rawBody(req);
    const signature = req.headers['x-perimeter-signature'];
    const token = (req.query as Record<string, unknown>).token;
    const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const authentic =
      (typeof signature === 'string' && same(signature, expected)) ||
      (typeof token === 'string' && same(token, secret));
    if (!authentic)
      throw graphQLError(
        'UNAUTHENTICATED',
        'bucket notification without a valid signature or token',
      );
    let parsed;
    try {
      parsed = parseBucketNotification(JSON.parse(body.toString('utf8')));
    } catch (err) {
      if (err instanceof InvalidNotification || err instanceof SyntaxError)
        throw graphQLError('BAD_USER_INPUT', `not a bucket notification: ${err.message}`);
      throw err;
    }
    if (parsed.test) return { test: true, started: 0, duplicates: 0, ignored: 0 };
    return { test: false, ...(await this.buckets.onObjectsCreated(parsed.objects)) };
  }
}
