import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import {
  bucketSweepWorkflowId,
  objectScanWorkflowId,
  OrganisationAttribute,
  ScanKindAttribute,
  ScanTargetAttribute,
  TaskQueues,
  type BucketVerdict,
  type SweepFilters,
} from '../../../libs/contracts';
import {
  BucketAlreadyRegistered,
  createBucket,
  createSweep,
  findBucket,
  findBucketByName,
  findSweep,
  finishSweep,
  objectResultsQuery,
  OrganisationEntity,
  sweepCounts,
  updateBucketSettings,
  listBuckets,
  type BucketRow,
  type BucketSettings,
  type SweepRow,
} from '../../../libs/db';
import type { PageRequest } from '../../../libs/db/keyset-page';
import type { Logger } from '../../../libs/telemetry';
import type { bucketSweep } from '../../../workflows/bucket-sweep.workflow';
import type { objectScan } from '../../../workflows/object-scan.workflow';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { relayConnection } from '../common/relay-connection';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';
import type { ObjectCreated } from './bucket-events';
import type { BucketSettingsInput, SweepFiltersInput } from './models/bucket.model';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function toBucketModel(b: BucketRow) {
  const { webhookSecret, ...rest } = b;
  return { ...rest, webhookSecretSet: Boolean(webhookSecret) };
}

/** Registers buckets, starts scans (notifications, sweeps) and answers for their results. */
@Injectable()
export class BucketsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly access: AccessService,
  ) {}

  private settings(input: BucketSettingsInput): BucketSettings {
    const problems: string[] = [];
    if (input.infectedAction === 'quarantine' && !input.quarantineBucket)
      problems.push('quarantineBucket: required when infectedAction is QUARANTINE');
    if (input.quarantineBucket && !BUCKET_NAME.test(input.quarantineBucket))
      problems.push('quarantineBucket: not a valid S3 bucket name');
    const max = input.maxObjectBytes ?? this.config.buckets.maxObjectBytes;
    // The ceiling is clamd's StreamMaxLength, which the deployment sets BUCKET_SCAN_MAX_BYTES to:
    // past it clamd hangs up mid-stream, and the verdict could only be ERROR.
    const ceiling = this.config.buckets.maxObjectBytes;
    if (!Number.isSafeInteger(max) || max < 1 || max > ceiling)
      problems.push(`maxObjectBytes: a whole number from 1 to ${ceiling} (BUCKET_SCAN_MAX_BYTES)`);
    if (Boolean(input.webhookUrl) !== Boolean(input.webhookSecret))
      problems.push('webhookUrl and webhookSecret: give both or neither');
    if (input.webhookUrl) {
      let url: URL | undefined;
      try {
        url = new URL(input.webhookUrl);
      } catch {
        /* reported below */
      }
      if (!url || !['http:', 'https:'].includes(url.protocol) || input.webhookUrl.length > 2000)
        problems.push('webhookUrl: an http(s) URL of at most 2000 characters');
    }
    if (
      input.webhookSecret &&
      (input.webhookSecret.length < 16 || input.webhookSecret.length > 256)
    )
      problems.push('webhookSecret: 16 to 256 characters');
    if (problems.length) throw graphQLError('BAD_USER_INPUT', problems.join('; '));
    return {
      scanOnUpload: input.scanOnUpload,
      tagObjects: input.tagObjects,
      infectedAction: input.infectedAction,
      quarantineBucket: input.quarantineBucket ?? null,
      maxObjectBytes: max,
      webhookUrl: input.webhookUrl ?? null,
      webhookSecret: input.webhookSecret ?? null,
      notifyClean: input.notifyClean,
    };
  }

  async register(organisationId: string, name: string, input: BucketSettingsInput) {
    if (!BUCKET_NAME.test(name) || name.includes('..'))
      throw graphQLError(
        'BAD_USER_INPUT',
        'name: not a valid S3 bucket name (3-63 of a-z 0-9 . -)',
      );
    const settings = this.settings(input);
    if (settings.quarantineBucket === name)
      throw graphQLError('BAD_USER_INPUT', 'quarantineBucket: must differ from the bucket itself');
    try {
      return await createBucket(this.dataSource, { organisationId, name, ...settings });
    } catch (err) {
      if (err instanceof BucketAlreadyRegistered) throw graphQLError('CONFLICT', err.message);
      throw err;
    }
  }

  async bucket(principal: Principal, id: string, need: 'viewer' | 'operator' | 'admin') {
    const b = isUuid(id) ? await findBucket(this.dataSource, id) : undefined;
    this.access.assertCan(principal, need, b?.organisationId, 'bucket', id);
    return b!;
  }

  async update(principal: Principal, id: string, input: BucketSettingsInput) {
    const b = await this.bucket(principal, id, 'admin');
    const settings = this.settings(input);
    if (settings.quarantineBucket === b.name)
      throw graphQLError('BAD_USER_INPUT', 'quarantineBucket: must differ from the bucket itself');
    return updateBucketSettings(this.dataSource, b.id, settings);
  }

  list(organisationId: string) {
    return listBuckets(this.dataSource, organisationId);
  }

  private async organisationSlug(id: string) {
    return (await this.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ id })).slug;
  }

  /** Starts one `objectScan` per created object of a registered bucket; repeats start nothing. */
  async onObjectsCreated(objects: ObjectCreated[]) {
    let started = 0;
    let duplicates = 0;
    let ignored = 0;
    for (const o of objects) {
      const bucket = await findBucketByName(this.dataSource, o.bucket);
      if (!bucket || !bucket.scanOnUpload) {
        ignored++;
        continue;
      }
      const keyDigest = createHash('sha256').update(o.key).digest('hex').slice(0, 32);
      const workflowId = objectScanWorkflowId(bucket.id, keyDigest, o);
      try {
        await this.temporal.workflow.start<typeof objectScan>('objectScan', {
          taskQueue: TaskQueues.buckets,
          workflowId,
          // Never again for the same object version, even after the first scan finished.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              bucketId: bucket.id,
              bucket: bucket.name,
              key: o.key,
              versionId: o.versionId,
              etag: o.etag,
              scanAttempts: this.config.buckets.scanAttempts,
            },
          ],
          typedSearchAttributes: [
            { key: ScanKindAttribute, value: 'bucket-object' },
            { key: ScanTargetAttribute, value: bucket.name },
            {
              key: OrganisationAttribute,
              value: await this.organisationSlug(bucket.organisationId),
            },
          ],
          memo: { bucket: bucket.name, key: o.key.slice(0, 1024) },
        });
        started++;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) duplicates++;
        else throw err;
      }
    }
    return { started, duplicates, ignored };
  }

  async requestSweep(
    principal: Principal,
    bucketId: string,
    prefix: string,
    filtersInput: SweepFiltersInput,
    force: boolean,
  ): Promise<SweepRow> {
    const bucket = await this.bucket(principal, bucketId, 'operator');
    const filters: SweepFilters = {
      suffixes: filtersInput.suffixes.map((s) => s.toLowerCase()),
      minSize: filtersInput.minSize ?? null,
      maxSize: filtersInput.maxSize ?? null,
    };
    if (Buffer.byteLength(prefix) > 1024)
      throw graphQLError('BAD_USER_INPUT', 'prefix: over 1024 bytes');
    if (filters.suffixes.length > 50 || filters.suffixes.some((s) => !s || s.length > 100))
      throw graphQLError('BAD_USER_INPUT', 'suffixes: up to 50, each 1-100 characters');
    for (const [name, v] of [
      ['minSize', filters.minSize],
      ['maxSize', filters.maxSize],
    ] as const)
      if (v !== null && (!Number.isSafeInteger(v) || v < 0))
        throw graphQLError('BAD_USER_INPUT', `${name}: a whole number of bytes`);
    if (filters.minSize !== null && filters.maxSize !== null && filters.minSize > filters.maxSize)
      throw graphQLError('BAD_USER_INPUT', 'minSize must not exceed maxSize');
    const actor = actorOf(principal);
    const sweep = await createSweep(this.dataSource, {
      bucketId: bucket.id,
      prefix,
      filters,
      force,
      requestedBy: `${actor.actorType}:${actor.actorId}`,
    });
    const slug = await this.organisationSlug(bucket.organisationId);
    try {
      await this.temporal.connection.withDeadline(Date.now() + 5000, () =>
        this.temporal.workflow.start<typeof bucketSweep>('bucketSweep', {
          taskQueue: TaskQueues.buckets,
          workflowId: bucketSweepWorkflowId(sweep.id),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              sweepId: sweep.id,
              bucketId: bucket.id,
              scanAttempts: this.config.buckets.scanAttempts,
            },
          ],
          typedSearchAttributes: [
            { key: ScanKindAttribute, value: 'bucket-sweep' },
            { key: ScanTargetAttribute, value: bucket.name },
            { key: OrganisationAttribute, value: slug },
          ],
          memo: { bucket: bucket.name, prefix },
        }),
      );
    } catch (err) {
      const message = `could not start the sweep workflow: ${(err as Error).message}`;
      this.logger.error({ err, sweepId: sweep.id }, message);
      await finishSweep(this.dataSource, sweep.id, message);
      throw graphQLError('TEMPORAL_UNAVAILABLE', message, { sweepId: sweep.id });
    }
    return sweep;
  }

  async sweep(principal: Principal, id: string) {
    const s = isUuid(id) ? await findSweep(this.dataSource, id) : undefined;
    const bucket = s ? await findBucket(this.dataSource, s.bucketId) : undefined;
    this.access.assertCan(principal, 'viewer', bucket?.organisationId, 'bucket sweep', id);
    return this.toSweepModel(s!);
  }

  /**
   * Yields the sweep, then again whenever its status or its counts change, until it has finished.
   * Reads the stored rows at each interval: works across API instances.
   */
  async *watchSweep(
    first: Awaited<ReturnType<BucketsService['toSweepModel']>>,
    intervalMs = 500,
  ): AsyncGenerator<Awaited<ReturnType<BucketsService['toSweepModel']>>> {
    const { id } = first;
    let last = first;
    yield last;
    while (last.status === 'queued' || last.status === 'running') {
      await new Promise((r) => setTimeout(r, intervalMs));
      const row = await findSweep(this.dataSource, id);
      if (!row) return;
      const now = await this.toSweepModel(row);
      if (
        now.status !== last.status ||
        JSON.stringify(now.summary) !== JSON.stringify(last.summary)
      )
        yield now;
      last = now;
    }
  }

  async toSweepModel(s: SweepRow) {
    return { ...s, summary: s.summary ?? (await sweepCounts(this.dataSource, s.id)) };
  }

  async results(
    principal: Principal,
    bucketId: string,
    filter: { verdict?: BucketVerdict; sweepId?: string },
    page: PageRequest,
  ) {
    const bucket = await this.bucket(principal, bucketId, 'viewer');
    if (filter.sweepId && !isUuid(filter.sweepId))
      throw graphQLError('BAD_USER_INPUT', 'sweepId: not an id');
    return relayConnection(
      this.dataSource,
      objectResultsQuery(bucket.id, filter),
      page,
      (row: Record<string, unknown>) => row as never,
    );
  }
}
