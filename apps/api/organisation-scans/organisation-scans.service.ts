import { Inject, Injectable } from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import {
  DomainScanners,
  organisationScanProgressQuery,
  organisationScanStart,
  resolveScanners,
  type DomainScanner,
  type OrganisationScanInput,
} from '../../../libs/contracts';
import { OrganisationEntity, recordAudit, type ScanEntity } from '../../../libs/db';
import {
  createOrganisationScan,
  findOrganisationScan,
  finishOrganisationScan,
  organisationChildScans,
  organisationScanCounts,
  type ChildCounts,
  type OrganisationScanRow,
} from '../../../libs/db/organisation-scans.repository';
import type { Logger } from '../../../libs/telemetry';
import type { organisationScan } from '../../../workflows/organisation-scan.workflow';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';

const START_DEADLINE_MS = 5000;
export const MAX_CONCURRENCY = 100;

/** Scanner names or groups → scanners; a typed error for unknown names or an empty list. */
export function scannersOrError(names: string[] | undefined | null): DomainScanner[] {
  let scanners: DomainScanner[];
  try {
    scanners = names ? resolveScanners(names) : [...DomainScanners];
  } catch (err) {
    throw graphQLError('BAD_USER_INPUT', (err as Error).message);
  }
  if (scanners.length === 0) throw graphQLError('BAD_USER_INPUT', 'scanners: name at least one');
  return scanners;
}

@Injectable()
export class OrganisationScansService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    private readonly access: AccessService,
  ) {}

  /** Records a queued organisation scan and starts its parent workflow (ID derived from it). */
  async request(
    principal: Principal,
    organisationId: string,
    opts: { scanners?: string[] | null; concurrency?: number | null },
  ): Promise<OrganisationScanRow> {
    const scanners = scannersOrError(opts.scanners);
    const concurrency = opts.concurrency ?? this.config.organisationScanConcurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw graphQLError('BAD_USER_INPUT', `concurrency: between 1 and ${MAX_CONCURRENCY}`);
    }
    const [{ n }] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM domain WHERE organisation_id = $1`,
      [organisationId],
    )) as Array<{ n: number }>;
    if (n === 0) throw graphQLError('BAD_USER_INPUT', 'the organisation has no domains to scan');
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOneByOrFail({ id: organisationId });
    const actor = actorOf(principal);
    const scan = await createOrganisationScan(this.dataSource, {
      organisationId,
      scanners,
      concurrency,
      requestedBy: `${actor.actorType}:${actor.actorId}`,
    });
    const input: OrganisationScanInput = {
      organisationScanId: scan.id,
      organisationId,
      scanners,
      concurrency,
    };
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.workflow.start<typeof organisationScan>('organisationScan', {
          ...organisationScanStart(input, organisation.slug),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        const message = `could not start the organisation scan workflow: ${(err as Error).message}`;
        this.logger.error({ err, organisationScanId: scan.id }, message);
        await finishOrganisationScan(this.dataSource, scan.id, 'failed', message);
        throw graphQLError('TEMPORAL_UNAVAILABLE', message, { organisationScanId: scan.id });
      }
    }
    this.logger.info(
      { organisationScanId: scan.id, organisationId },
      'organisation scan requested',
    );
    return scan;
  }

  async get(principal: Principal, id: string): Promise<OrganisationScanRow> {
    const scan = isUuid(id) ? await findOrganisationScan(this.dataSource, id) : null;
    this.access.assertCan(principal, 'viewer', scan?.organisationId, 'organisation scan', id);
    return scan!;
  }

  /**
   * Stops a queued or running organisation scan: the parent workflow is cancelled, which cancels
   * its running child scans (through their heartbeats) and starts no more. A finished one is a
   * CONFLICT.
   */
  async cancel(principal: Principal, id: string): Promise<OrganisationScanRow> {
    const scan = isUuid(id) ? await findOrganisationScan(this.dataSource, id) : null;
    this.access.assertCan(principal, 'operator', scan?.organisationId, 'organisation scan', id);
    if (scan!.status !== 'queued' && scan!.status !== 'running') {
      throw graphQLError(
        'CONFLICT',
        `the organisation scan has already finished (${scan!.status})`,
        {
          status: scan!.status,
        },
      );
    }
    try {
      await this.temporal.connection.withDeadline(Date.now() + 5000, () =>
        this.temporal.workflow.getHandle(scan!.workflowId).cancel(),
      );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        const message = `could not cancel the organisation scan workflow: ${(err as Error).message}`;
        throw graphQLError('TEMPORAL_UNAVAILABLE', message, { organisationScanId: scan!.id });
      }
      // No workflow runs for it: nothing else will finish the row.
      await finishOrganisationScan(this.dataSource, scan!.id, 'cancelled', null);
    }
    await recordAudit(this.dataSource, {
      organisationId: scan!.organisationId,
      ...actorOf(principal),
      action: 'organisation_scan.cancel',
      targetType: 'organisation_scan',
      targetId: scan!.id,
      details: {},
    });
    return (await findOrganisationScan(this.dataSource, scan!.id))!;
  }

  /** Live from the parent workflow while it runs; from the stored child scans afterwards. */
  async progress(scan: OrganisationScanRow): Promise<ChildCounts> {
    if (scan.status === 'running') {
      try {
        const live = await this.temporal.workflow
          .getHandle(scan.workflowId)
          .query(organisationScanProgressQuery);
        return live;
      } catch (err) {
        this.logger.debug({ err, id: scan.id }, 'progress query failed; using stored scans');
      }
    }
    return organisationScanCounts(this.dataSource, scan);
  }

  children(scan: OrganisationScanRow, first: number): Promise<ScanEntity[]> {
    return organisationChildScans(this.dataSource, scan.id, Math.min(Math.max(first, 1), 500));
  }

  /**
   * Yields the scan, then again whenever it or its child counts change, until it has finished.
   * Polls the stored rows (one grouped read per interval per watcher): works across API instances.
   */
  async *watch(scan: OrganisationScanRow, intervalMs = 500): AsyncGenerator<OrganisationScanRow> {
    let last = scan;
    let lastCounts = JSON.stringify(await organisationScanCounts(this.dataSource, scan));
    yield last;
    while (last.status === 'queued' || last.status === 'running') {
      await new Promise((r) => setTimeout(r, intervalMs));
      const now = await findOrganisationScan(this.dataSource, scan.id);
      if (!now) return;
      const counts = JSON.stringify(await organisationScanCounts(this.dataSource, now));
      if (now.status !== last.status || counts !== lastCounts) yield now;
      last = now;
      lastCounts = counts;
    }
  }
}
