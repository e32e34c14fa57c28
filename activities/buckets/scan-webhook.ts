import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { classifyAddress } from '../../libs/net/target-guard';
import type { BucketRow, ObjectResultRow } from '../../libs/db/buckets.repository';

/** The JSON body Perimeter POSTs to a bucket's webhook for one verdict. */
export function webhookBody(bucket: BucketRow, r: ObjectResultRow, now = new Date()) {
  return {
    event: 'bucket.object.scanned',
    resultId: r.id,
    bucket: bucket.name,
    key: r.key,
    versionId: r.objectVersion.startsWith('etag:') ? null : r.objectVersion,
    etag: r.etag,
    size: r.size,
    verdict: r.verdict,
    signatures: r.signatures,
    reason: r.reason,
    engine: {
      version: r.engineVersion,
      databaseVersion: r.databaseVersion,
      databaseTime: r.databaseTime ? new Date(r.databaseTime).toISOString() : null,
      databaseAgeSeconds: r.databaseTime
        ? Math.round((now.getTime() - new Date(r.databaseTime).getTime()) / 1000)
        : null,
    },
    scannedAt: new Date(r.scannedAt).toISOString(),
    sweepId: r.sweepId,
    actions: {
      tagged: r.actions.tagged ?? false,
      quarantinedTo: r.actions.quarantinedTo ?? null,
      deleted: r.actions.deleted ?? false,
    },
  };
}

/**
 * `X-Perimeter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the
 * scheme Stripe uses: the timestamp inside the MAC lets receivers refuse replays.
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** A delivery the receiver refused for good (4xx other than 408/429), or a forbidden address. */
export class WebhookRejected extends Error {
  override readonly name = 'WebhookRejected';
}

/** Refuses webhook hosts on private networks unless ALLOW_PRIVATE_TARGETS (no SSRF through us). */
async function assertPublicHost(url: URL, allowPrivateTargets: boolean): Promise<void> {
  if (allowPrivateTargets) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = await lookup(host, { all: true });
  const refused = addresses.filter((a) => !classifyAddress(a.address).public);
  if (refused.length)
    throw new WebhookRejected(
      `webhook host ${host} resolves to a non-public address (${refused[0]!.address})`,
    );
}

export async function deliverWebhook(
  url: string,
  secret: string,
  payload: unknown,
  deliveryId: string,
  opts: { allowPrivateTargets: boolean; timeoutMs?: number },
): Promise<number> {
  const target = new URL(url);
  await assertPublicHost(target, opts.allowPrivateTargets);
  const body = JSON.stringify(payload);
  const res = await fetch(target, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Perimeter-Bucket-Scanner',
      'x-perimeter-event': 'bucket.object.scanned',
      'x-perimeter-delivery': deliveryId,
      'x-perimeter-signature': signWebhook(secret, body, Math.floor(Date.now() / 1000)),
    },
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  await res.body?.cancel();
  if (res.ok) return res.status;
  const message = `webhook answered ${res.status}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
    throw new WebhookRejected(message);
  throw new Error(message);
}
