import { Inject, Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DataSource } from 'typeorm';
import { deserializeIndex, type SurfaceIndex } from '../../../activities/surface/surface-index';
import {
  attackers,
  attackPath,
  mostExposed,
  reachableFrom,
  stats,
  UnknownVm,
} from '../../../activities/surface/surface-queries';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import { createS3Client, headObject, readObjectBounded, S3ObjectNotFound } from '../../../libs/s3';
import {
  OrganisationAttribute,
  ScanKindAttribute,
  ScanTargetAttribute,
  TaskQueues,
} from '../../../libs/contracts';
import {
  createInventoryUpload,
  findBucket,
  findEnvironment,
  findInventoryVersion,
  finishInventoryVersion,
  latestReadyVersion,
  readInventoryIndex,
  listEnvironmentVersions,
  OrganisationEntity,
  recordSurfaceQuery,
  surfaceQueryStats,
  type InventoryVersionRow,
} from '../../../libs/db';
import type { Logger } from '../../../libs/telemetry';
import type { inventoryImport } from '../../../workflows/inventory-import.workflow';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';

const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CACHED_INDEXES = 8;

export function toVersionModel(v: InventoryVersionRow) {
  return { ...v, environment: v.environmentName };
}

/** Imports inventories and answers attack-surface questions from their precomputed indexes. */
@Injectable()
export class SurfaceService {
  /** Deserialised indexes by version id, most recently used last. */
  private readonly indexes = new Map<string, SurfaceIndex>();
  /** VM count of the newest version each environment answered from, for the gauge. */
  private readonly vmCounts = new Map<string, number>();
  private readonly meter = metrics.getMeter('perimeter-surface');
  private readonly requests = this.meter.createCounter('perimeter_surface_requests', {
    description: 'Attack-surface queries answered since the process started',
  });
  private readonly durations = this.meter.createHistogram('perimeter_surface_request_duration', {
    description: 'Time to answer an attack-surface query',
    unit: 'ms',
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    private readonly access: AccessService,
  ) {
    this.meter
      .createObservableGauge('perimeter_surface_vms', {
        description: 'VMs in the inventory answering queries',
      })
      .addCallback((result) => {
        for (const [environment, count] of this.vmCounts) result.observe(count, { environment });
      });
  }

  async importInventory(
    principal: Principal,
    organisationId: string,
    environment: string,
    content: Buffer,
  ): Promise<InventoryVersionRow> {
    if (!ENVIRONMENT.test(environment)) {
      throw graphQLError(
        'BAD_USER_INPUT',
        'environment: letters, digits, ".", "_" and "-", up to 100',
      );
    }
    const actor = actorOf(principal);
    const created = await createInventoryUpload(this.dataSource, {
      organisationId,
      environment,
      content,
      createdBy: `${actor.actorType}:${actor.actorId}`,
    });
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOneByOrFail({ id: organisationId });
    try {
      await this.temporal.connection.withDeadline(Date.now() + 5000, () =>
        this.temporal.workflow.start<typeof inventoryImport>('inventoryImport', {
          taskQueue: TaskQueues.surface,
          workflowId: created.workflowId,
          args: [{ versionId: created.versionId, uploadId: created.uploadId }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: ScanKindAttribute, value: 'inventory' },
            { key: ScanTargetAttribute, value: environment },
            { key: OrganisationAttribute, value: organisation.slug },
          ],
          memo: { environment, version: created.version },
        }),
      );
    } catch (err) {
      const message = `could not start the import workflow: ${(err as Error).message}`;
      this.logger.error({ err, versionId: created.versionId }, message);
      await finishInventoryVersion(this.dataSource, created.versionId, {
        status: 'failed',
        error: message,
      });
      throw graphQLError('TEMPORAL_UNAVAILABLE', message, { versionId: created.versionId });
    }
    return (await findInventoryVersion(this.dataSource, created.versionId))!;
  }

  private s3client: S3Client | undefined;

  /**
   * Imports the inventory stored in an object of one of the organisation's registered buckets:
   * the object is read (up to the same limit as an upload) and imported like an upload, so the
   * version records exactly the bytes that were validated.
   */
  async importInventoryFromBucket(
    principal: Principal,
    organisationId: string,
    environment: string,
    bucketId: string,
    key: string,
  ): Promise<InventoryVersionRow> {
    const bucket = isUuid(bucketId) ? await findBucket(this.dataSource, bucketId) : undefined;
    if (!bucket || bucket.organisationId !== organisationId) {
      throw this.access.notFoundError(principal, 'bucket', bucketId);
    }
    if (!key || key.length > 1024)
      throw graphQLError('BAD_USER_INPUT', 'key: 1 to 1024 characters');
    this.s3client ??= createS3Client(this.config.s3);
    const ref = { bucket: bucket.name, key, versionId: null };
    const limit = this.config.api.inventoryMaxBytes;
    let content: Buffer;
    try {
      const head = await headObject(this.s3client, ref);
      if (head.size > limit) {
        throw graphQLError('PAYLOAD_TOO_LARGE', `inventories are limited to ${limit} bytes`, {
          size: head.size,
        });
      }
      // The object could have grown since HEAD: read with the same limit.
      const read = await readObjectBounded(this.s3client, ref, limit, head.etag);
      if (!read) {
        throw graphQLError('PAYLOAD_TOO_LARGE', `inventories are limited to ${limit} bytes`);
      }
      content = read;
    } catch (err) {
      if (err instanceof S3ObjectNotFound) {
        throw graphQLError(
          'NOT_FOUND',
          `no object "${key.slice(0, 256)}" in bucket ${bucket.name}`,
        );
      }
      if ((err as { extensions?: unknown }).extensions) throw err;
      this.logger.warn({ err, bucket: bucket.name, key }, 'could not read an inventory object');
      throw graphQLError(
        'S3_UNAVAILABLE',
        `could not read s3://${bucket.name}/${key.slice(0, 256)}: ${(err as Error).message}`,
      );
    }
    return this.importInventory(principal, organisationId, environment, content);
  }

  versions(organisationId: string): Promise<InventoryVersionRow[]> {
    return listEnvironmentVersions(this.dataSource, organisationId);
  }

  async version(principal: Principal, id: string): Promise<InventoryVersionRow> {
    const v = isUuid(id) ? await findInventoryVersion(this.dataSource, id) : undefined;
    this.access.assertCan(principal, 'viewer', v?.organisationId, 'inventory version', id);
    return v!;
  }

  /** Runs one question against the environment's newest ready index and records its timing. */
  async ask<T>(
    principal: Principal,
    organisationId: string,
    environment: string,
    kind: string,
    question: (index: SurfaceIndex) => T,
  ): Promise<T> {
    const env = await findEnvironment(this.dataSource, organisationId, environment);
    if (!env) throw this.access.notFoundError(principal, 'cloud environment', environment);
    const current = await this.current(env.id, environment);
    const started = performance.now();
    let answer: T;
    try {
      answer = question(current.index);
    } catch (err) {
      if (err instanceof UnknownVm) {
        throw graphQLError('UNKNOWN_VM', `no VM "${err.vmId.slice(0, 256)}" in ${environment}`, {
          version: current.version,
        });
      }
      throw err;
    }
    const durationMs = performance.now() - started;
    this.requests.add(1, { environment, kind });
    this.durations.record(durationMs, { environment, kind });
    this.vmCounts.set(environment, stats(current.index).vmCount);
    await recordSurfaceQuery(this.dataSource, {
      environmentId: env.id,
      versionId: current.versionId,
      kind,
      durationMs,
    });
    return answer;
  }

  attackers(p: Principal, o: string, e: string, vmId: string, transitive: boolean) {
    return this.ask(p, o, e, transitive ? 'attackers-transitive' : 'attackers', (i) =>
      attackers(i, vmId, { transitive }),
    );
  }

  path(p: Principal, o: string, e: string, attacker: string, target: string) {
    return this.ask(p, o, e, 'path', (i) => attackPath(i, attacker, target));
  }

  reachable(p: Principal, o: string, e: string, vmId: string, transitive: boolean) {
    return this.ask(p, o, e, 'reachable', (i) => reachableFrom(i, vmId, { transitive }));
  }

  mostExposed(p: Principal, o: string, e: string, limit: number) {
    if (limit < 1 || limit > 1000) throw graphQLError('BAD_USER_INPUT', 'limit: 1-1000');
    return this.ask(p, o, e, 'most-exposed', (i) => mostExposed(i, limit));
  }

  async stats(
    principal: Principal,
    organisationId: string,
    environment: string,
    range: { from: Date; to: Date },
  ) {
    if (!(range.from < range.to))
      throw graphQLError('BAD_USER_INPUT', '`from` must be before `to`');
    const env = await findEnvironment(this.dataSource, organisationId, environment);
    if (!env) throw this.access.notFoundError(principal, 'cloud environment', environment);
    const latest = await latestReadyVersion(this.dataSource, env.id);
    const traffic = await surfaceQueryStats(this.dataSource, env.id, range);
    return {
      environment,
      environmentId: env.id,
      version: latest?.version ?? null,
      vmCount: latest ? stats(await this.load(latest.versionId)).vmCount : null,
      ...traffic,
      ...range,
    };
  }

  private async current(environmentId: string, environment: string) {
    const latest = await latestReadyVersion(this.dataSource, environmentId);
    if (!latest) throw graphQLError('NO_INVENTORY', `${environment} has no imported inventory yet`);
    return { ...latest, index: await this.load(latest.versionId) };
  }

  private async load(versionId: string): Promise<SurfaceIndex> {
    let index = this.indexes.get(versionId);
    if (index) {
      this.indexes.delete(versionId);
    } else {
      index = deserializeIndex(await readInventoryIndex(this.dataSource, versionId));
      if (this.indexes.size >= CACHED_INDEXES)
        this.indexes.delete(this.indexes.keys().next().value!);
    }
    this.indexes.set(versionId, index);
    return index;
  }
}
