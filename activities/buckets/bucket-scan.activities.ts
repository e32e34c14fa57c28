import type { S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type {
  BucketScanActivities,
  BucketVerdict,
  ObjectScanInput,
  ObjectScanOutcome,
  SweepObject,
} from '../../libs/contracts';
import {
  alreadyScannedKeys,
  findBucket,
  findObjectResult,
  findObjectResultById,
  findSweep,
  finishSweep,
  markSweepRunning,
  recordScanActions,
  setSweepTotals,
  upsertObjectResult,
  type BucketRow,
  type ObjectResultRow,
} from '../../libs/db/buckets.repository';
import {
  copyObject,
  deleteObject,
  headObject,
  listObjectsPage,
  mergeObjectTags,
  openObject,
  S3ObjectNotFound,
  type S3ObjectRef,
} from '../../libs/s3';
import { ClamdError, type ClamdClient, type ClamdVersion } from './clamd-client';
import { deliverWebhook, WebhookRejected, webhookBody } from './scan-webhook';

export interface BucketScanDeps {
  dataSource: DataSource;
  s3: S3Client;
  clamd: ClamdClient;
  sweepConcurrency: number;
  allowPrivateTargets: boolean;
  /** Keys listed per sweep page (S3 returns at most 1000). */
  sweepPageSize?: number;
}

/** S3 tag values allow letters, digits, spaces and + - = . _ : / @ (at most 256). */
const tagValue = (s: string) => s.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_').slice(0, 256);

const engineLabel = (v: ClamdVersion) =>
  v.databaseVersion !== null ? `ClamAV ${v.engine}/${v.databaseVersion}` : `ClamAV ${v.engine}`;

const objectVersionOf = (versionId: string | null, etag: string) => versionId ?? `etag:${etag}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createBucketScanActivities(deps: BucketScanDeps): BucketScanActivities {
  const { dataSource: db, s3, clamd } = deps;

  async function bucketOrFail(id: string): Promise<BucketRow> {
    const bucket = await findBucket(db, id);
    if (!bucket)
      throw ApplicationFailure.nonRetryable(`bucket ${id} is not registered`, 'UnknownBucket');
    return bucket;
  }

  /**
   * Scans one object: HEAD, then stream to clamd (unless too large), then record the verdict.
   * Returns null when the object (or that ETag of it) is gone. Throws on clamd/S3 trouble.
   */
  async function scanOne(
    bucket: BucketRow,
    ref: S3ObjectRef,
    expectedEtag: string | null,
    opts: { sweepId: string | null; skipIfCurrent: boolean },
  ): Promise<{ result: ObjectResultRow; alreadyScanned: boolean } | null> {
    let head;
    try {
      head = await headObject(s3, ref);
    } catch (err) {
      if (err instanceof S3ObjectNotFound) return null;
      throw err;
    }
    // The object was replaced since the notification: the new version has its own.
    if (expectedEtag && head.etag !== expectedEtag) return null;
    const objectVersion = objectVersionOf(ref.versionId ?? head.versionId, head.etag);
    const version = await clamd.version();
    if (opts.skipIfCurrent) {
      const existing = await findObjectResult(db, bucket.id, ref.key, objectVersion);
      if (
        existing &&
        existing.verdict !== 'ERROR' &&
        existing.databaseVersion === version.databaseVersion
      )
        return { result: existing, alreadyScanned: true };
    }
    let verdict: BucketVerdict;
    let signatures: string[] = [];
    let reason: string | null = null;
    if (head.size > bucket.maxObjectBytes) {
      verdict = 'SKIPPED';
      reason = `larger than ${bucket.maxObjectBytes} bytes`;
    } else {
      const body = await openObject(s3, { ...ref, versionId: ref.versionId ?? head.versionId });
      let outcome;
      try {
        outcome = await clamd.scanStream(body, bucket.maxObjectBytes);
      } catch (err) {
        body.destroy();
        throw err;
      }
      if (outcome.status === 'infected') {
        verdict = 'INFECTED';
        signatures = outcome.signatures;
      } else if (outcome.status === 'too-large') {
        verdict = 'SKIPPED';
        reason = `larger than ${bucket.maxObjectBytes} bytes or clamd's StreamMaxLength`;
      } else verdict = 'CLEAN';
    }
    const result = await upsertObjectResult(db, {
      bucketId: bucket.id,
      key: ref.key,
      objectVersion,
      etag: head.etag,
      size: head.size,
      verdict,
      signatures,
      reason,
      engineVersion: engineLabel(version),
      databaseVersion: version.databaseVersion,
      databaseTime: version.databaseTime,
      sweepId: opts.sweepId,
    });
    return { result, alreadyScanned: false };
  }

  async function recordError(
    bucket: BucketRow,
    ref: S3ObjectRef,
    etag: string | null,
    message: string,
    sweepId: string | null,
  ): Promise<ObjectResultRow> {
    return upsertObjectResult(db, {
      bucketId: bucket.id,
      key: ref.key,
      objectVersion: objectVersionOf(ref.versionId, etag ?? 'unknown'),
      etag,
      size: null,
      verdict: 'ERROR',
      signatures: [],
      reason: message.slice(0, 1000),
      engineVersion: null,
      databaseVersion: null,
      databaseTime: null,
      sweepId,
    });
  }

  /** Tags, then quarantines or deletes infected objects. ERROR and SKIPPED never delete. */
  async function applyActions(resultId: string): Promise<ObjectResultRow> {
    const r = await findObjectResultById(db, resultId);
    if (!r) throw ApplicationFailure.nonRetryable(`no scan result ${resultId}`, 'UnknownResult');
    const bucket = await bucketOrFail(r.bucketId);
    const versionId = r.objectVersion.startsWith('etag:') ? null : r.objectVersion;
    const ref: S3ObjectRef = { bucket: bucket.name, key: r.key, versionId };
    if (r.actions.deleted) return r;
    if (bucket.tagObjects && !r.actions.tagged) {
      try {
        await mergeObjectTags(s3, ref, {
          'scan-status': r.verdict,
          'scan-signature': tagValue(r.signatures.join(' ') || 'none'),
          'scan-timestamp': new Date(r.scannedAt).toISOString(),
          'scan-engine-version': tagValue(r.engineVersion ?? 'unknown'),
        });
        r.actions.tagged = true;
        await recordScanActions(db, r.id, { tagged: true });
      } catch (err) {
        // Gone already (deleted by its owner): nothing to tag, nothing to move.
        if ((err as { name?: string }).name === 'NoSuchKey') return r;
        throw err;
      }
    }
    if (r.verdict !== 'INFECTED') return r;
    if (bucket.infectedAction === 'quarantine' && bucket.quarantineBucket) {
      const to = { bucket: bucket.quarantineBucket, key: `${bucket.name}/${r.key}` };
      if (!r.actions.quarantinedTo) {
        await copyObject(s3, ref, to);
        r.actions.quarantinedTo = `s3://${to.bucket}/${to.key}`;
        await recordScanActions(db, r.id, { quarantinedTo: r.actions.quarantinedTo });
      }
      await deleteObject(s3, ref);
      r.actions.deleted = true;
      await recordScanActions(db, r.id, { deleted: true });
    } else if (bucket.infectedAction === 'delete') {
      await deleteObject(s3, ref);
      r.actions.deleted = true;
      await recordScanActions(db, r.id, { deleted: true });
    }
    return r;
  }

  async function notify(resultId: string, attempt: number): Promise<void> {
    const r = await findObjectResultById(db, resultId);
    if (!r) return;
    const bucket = await bucketOrFail(r.bucketId);
    if (!bucket.webhookUrl || !bucket.webhookSecret) return;
    if (r.verdict === 'CLEAN' && !bucket.notifyClean) return;
    try {
      const status = await deliverWebhook(
        bucket.webhookUrl,
        bucket.webhookSecret,
        webhookBody(bucket, r),
        `${r.id}.${r.scanCount}`,
        { allowPrivateTargets: deps.allowPrivateTargets },
      );
      await recordScanActions(db, r.id, {
        webhook: { status, attempts: attempt, at: new Date().toISOString() },
      });
    } catch (err) {
      const message = (err as Error).message;
      await recordScanActions(db, r.id, {
        webhook: { status: null, attempts: attempt, error: message, at: new Date().toISOString() },
      });
      if (err instanceof WebhookRejected)
        throw ApplicationFailure.nonRetryable(message, 'WebhookRejected');
      throw err;
    }
  }

  /** One sweep object end to end, retrying clamd/S3 trouble in place; ERROR after `attempts`. */
  async function sweepOne(bucket: BucketRow, sweepId: string, o: SweepObject, attempts: number) {
    const ref = { bucket: bucket.name, key: o.key, versionId: null };
    let outcome: { result: ObjectResultRow } | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        outcome = await scanOne(bucket, ref, o.etag, { sweepId, skipIfCurrent: false });
        break;
      } catch (err) {
        if (attempt >= attempts) {
          outcome = { result: await recordError(bucket, ref, o.etag, String(err), sweepId) };
          break;
        }
        await sleep(Math.min(500 * 2 ** (attempt - 1), 10_000));
      }
    }
    if (!outcome) return;
    await applyActions(outcome.result.id);
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await notify(outcome.result.id, attempt);
        break;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.nonRetryable) break;
        await sleep(1000 * attempt);
      }
    }
  }

  return {
    async scanObject(input: ObjectScanInput): Promise<ObjectScanOutcome> {
      const bucket = await bucketOrFail(input.bucketId);
      const ref = { bucket: input.bucket, key: input.key, versionId: input.versionId };
      try {
        const scanned = await scanOne(bucket, ref, input.etag, {
          sweepId: null,
          skipIfCurrent: true,
        });
        if (!scanned) return { resultId: null, verdict: null, alreadyScanned: false };
        return {
          resultId: scanned.result.id,
          verdict: scanned.result.verdict,
          alreadyScanned: scanned.alreadyScanned,
        };
      } catch (err) {
        if (err instanceof ClamdError)
          throw ApplicationFailure.retryable(err.message, 'ClamdError');
        throw err;
      }
    },

    async recordScanError(input) {
      const bucket = await bucketOrFail(input.bucketId);
      const ref = { bucket: input.bucket, key: input.key, versionId: input.versionId };
      const result = await recordError(bucket, ref, input.etag, input.message, null);
      return { resultId: result.id, verdict: 'ERROR', alreadyScanned: false };
    },

    async applyScanActions({ resultId }) {
      await applyActions(resultId);
    },

    async notifyScanWebhook({ resultId }) {
      await notify(resultId, Context.current().info.attempt);
    },

    async markSweepRunning({ sweepId }) {
      await markSweepRunning(db, sweepId);
    },

    async listSweepPage({ sweepId, continuationToken, totals }) {
      const sweep = await findSweep(db, sweepId);
      if (!sweep) throw ApplicationFailure.nonRetryable(`no sweep ${sweepId}`, 'UnknownSweep');
      const bucket = await bucketOrFail(sweep.bucketId);
      const page = await listObjectsPage(s3, bucket.name, {
        prefix: sweep.prefix,
        continuationToken,
        pageSize: deps.sweepPageSize ?? 1000,
      });
      const { suffixes, minSize, maxSize } = sweep.filters;
      const wanted = page.objects.filter(
        (o) =>
          !o.key.endsWith('/') &&
          (!suffixes.length || suffixes.some((s) => o.key.toLowerCase().endsWith(s))) &&
          (minSize === null || o.size >= minSize) &&
          (maxSize === null || o.size <= maxSize),
      );
      let objects = wanted;
      if (!sweep.force) {
        const { databaseVersion } = await clamd.version();
        const done = await alreadyScannedKeys(db, bucket.id, wanted, { databaseVersion });
        objects = wanted.filter((o) => !done.has(o.key));
      }
      const next = {
        listed: totals.listed + wanted.length,
        alreadyScanned: totals.alreadyScanned + (wanted.length - objects.length),
      };
      await setSweepTotals(db, sweepId, next);
      return { objects, next: page.next, totals: next };
    },

    async scanSweepBatch({ sweepId, objects, scanAttempts }) {
      const ctx = Context.current();
      const sweep = await findSweep(db, sweepId);
      if (!sweep) throw ApplicationFailure.nonRetryable(`no sweep ${sweepId}`, 'UnknownSweep');
      const bucket = await bucketOrFail(sweep.bucketId);
      // A retried batch (worker restart) skips what an earlier attempt finished.
      const done = await alreadyScannedKeys(db, bucket.id, objects, { sweepId });
      const todo = objects.filter((o) => !done.has(o.key));
      let next = 0;
      let finished = done.size;
      const heartbeat = setInterval(() => ctx.heartbeat({ finished }), 1000);
      try {
        // Lanes stop taking objects when cancelled (worker shutdown) but finish the one in
        // hand, so every object is either recorded or left for the retry — never both.
        const lane = async () => {
          while (next < todo.length && !ctx.cancellationSignal.aborted) {
            const o = todo[next++]!;
            await sweepOne(bucket, sweepId, o, scanAttempts);
            finished++;
          }
        };
        const lanes = await Promise.allSettled(Array.from({ length: deps.sweepConcurrency }, lane));
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        const failed = lanes.find((l) => l.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        clearInterval(heartbeat);
      }
      return { scanned: todo.length };
    },

    async finishSweep({ sweepId, error }) {
      await finishSweep(db, sweepId, error);
    },
  };
}
