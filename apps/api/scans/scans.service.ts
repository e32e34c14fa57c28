import { Inject, Injectable } from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import {
  DomainScanners,
  resolveScanners,
  type DomainScanner,
  domainScanProgressQuery,
  OrganisationAttribute,
  ScanKindAttribute,
  ScanTargetAttribute,
  TaskQueues,
  type DomainScanInput,
  type ResultStatus,
  type ScannerProgress,
  type ScanStatus,
} from '../../../libs/contracts';
import type { PageRequest } from '../../../libs/db/keyset-page';
import { PageLimits } from '../common/page-limits';
import { relayConnection, type Connection } from '../common/relay-connection';
import type { PerimeterConfig } from '../../../libs/config/config';
import {
  createDomainScan,
  findScan,
  findScanProgress,
  findScanResults,
  finishScan,
  OrganisationEntity,
  pgWakeups,
  type PgPubSub,
  recordAudit,
  rememberDkimSelectors,
  SCAN_PROGRESS_CHANNEL,
  scanResultsQuery,
  scansQuery,
  type ScanEntity,
  type ScanResultEntity,
} from '../../../libs/db';
import type { Logger } from '../../../libs/telemetry';
import type { domainScan } from '../../../workflows/domain-scan.workflow';
import { actorOf, type Principal, type Role } from '../../../libs/auth/roles';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { assertUuid, isUuid } from '../common/ids';
import { validDomainOrError, validSelectors } from '../domains/domains.service';
import { PG_PUBSUB } from '../common/pg-pubsub.module';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';
import type { ScannerProgressModel } from './models/scanner-progress.model';

const START_DEADLINE_MS = 5000;

/** A scan as a watcher read it: its progress read at the same moment, served with it. */
export type WatchedScan = ScanEntity & { progressAtRead?: ScannerProgressModel[] };

/** What a watcher compares to decide whether a change is worth pushing. */
type ChangeKey = (scan: ScanEntity, progress: ScannerProgressModel[]) => string;

const progressKey: ChangeKey = (scan, progress) =>
  JSON.stringify([scan.status, scan.error, progress.map((p) => [p.scanner, p.state, p.attempt])]);

/** `scanUpdated` only reports changes of the scan's status. */
export const statusKey: ChangeKey = (scan) => scan.status;

@Injectable()
export class ScansService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    @Inject(PG_PUBSUB) private readonly pubsub: PgPubSub,
    private readonly access: AccessService,
    private readonly pageLimits: PageLimits,
  ) {}

  /** Validates the name, records a queued scan and starts its workflow (ID derived from the scan). */
  async requestDomainScan(
    principal: Principal,
    organisationId: string,
    input: string,
    opts: { scanners?: string[]; dkimSelectors?: string[] } = {},
  ): Promise<ScanEntity> {
    const name = validDomainOrError(input, this.config.scanners.allowPrivateTargets);
    let scanners: DomainScanner[];
    try {
      scanners = opts.scanners ? resolveScanners(opts.scanners) : [...DomainScanners];
    } catch (err) {
      throw graphQLError('BAD_USER_INPUT', (err as Error).message);
    }
    if (scanners.length === 0) throw graphQLError('BAD_USER_INPUT', 'scanners: name at least one');
    const selectors = validSelectors(opts.dkimSelectors ?? []);
    const actor = actorOf(principal);
    const { scan, domain } = await createDomainScan(this.dataSource, {
      organisationId,
      domain: name,
      requestedBy: `${actor.actorType}:${actor.actorId}`,
      scanners,
    });
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOneByOrFail({ id: organisationId });
    const dkimSelectors = await rememberDkimSelectors(this.dataSource, domain.id, selectors);
    const workflowInput: DomainScanInput = {
      scanId: scan.id,
      domain: name.ascii,
      scanners,
      ...(scanners.includes('dkim') && dkimSelectors.length ? { dkimSelectors } : {}),
    };
    try {
      // A bounded wait: when Temporal is down the caller hears so in seconds, not minutes.
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.workflow.start<typeof domainScan>('domainScan', {
          taskQueue: TaskQueues.domainScans,
          workflowId: scan.workflowId,
          args: [workflowInput],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: ScanKindAttribute, value: 'domain' },
            { key: ScanTargetAttribute, value: name.ascii },
            { key: OrganisationAttribute, value: organisation.slug },
          ],
          memo: { target: name.unicode, organisation: organisation.slug },
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        const message = `could not start the scan workflow: ${(err as Error).message}`;
        this.logger.error({ err, scanId: scan.id }, message);
        await finishScan(this.dataSource, scan.id, 'failed', message);
        throw graphQLError('TEMPORAL_UNAVAILABLE', message, { scanId: scan.id });
      }
    }
    this.logger.info({ scanId: scan.id, domain: name.ascii }, 'domain scan requested');
    return scan;
  }

  /** A scan of one of the principal's organisations; any other is "not found". */
  async getScan(principal: Principal, id: string, role: Role = 'viewer'): Promise<ScanEntity> {
    const scan = isUuid(id) ? await findScan(this.dataSource, id) : null;
    this.access.assertCan(principal, role, scan?.organisationId, 'scan', id);
    return scan!;
  }

  /** Asks the workflow to stop; its scanners hear it through their heartbeats, and it ends `cancelled`. */
  async cancelScan(principal: Principal, id: string): Promise<ScanEntity> {
    const scan = await this.getScan(principal, id, 'operator');
    if (scan.status !== 'queued' && scan.status !== 'running') {
      throw graphQLError('CONFLICT', `the scan has already finished (${scan.status})`, {
        status: scan.status,
      });
    }
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(scan.workflowId).cancel(),
      );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        const message = `could not cancel the scan workflow: ${(err as Error).message}`;
        throw graphQLError('TEMPORAL_UNAVAILABLE', message, { scanId: scan.id });
      }
      // No workflow runs for it (it ended just now, or never started): if the row still says
      // queued or running, nothing else will finish it, so it is cancelled here.
      await finishScan(this.dataSource, scan.id, 'cancelled', null);
    }
    await recordAudit(this.dataSource, {
      organisationId: scan.organisationId,
      ...actorOf(principal),
      action: 'scan.cancel',
      targetType: 'scan',
      targetId: scan.id,
      details: { target: scan.target },
    });
    this.logger.info({ scanId: scan.id }, 'scan cancellation requested');
    return (await findScan(this.dataSource, scan.id))!;
  }

  /** A new scan of the same target with the same scanners (and the domain's DKIM selectors). */
  async rescan(principal: Principal, id: string): Promise<ScanEntity> {
    const scan = await this.getScan(principal, id, 'operator');
    return this.requestDomainScan(principal, scan.organisationId!, scan.target, {
      scanners: scan.scanners ?? undefined,
    });
  }

  /**
   * Yields the scan now, then again each time it or its scanners' progress changes, until it has
   * finished. Driven by Postgres NOTIFY (triggers on `scan` and `scan_progress`), so a change
   * written by any worker reaches subscribers on every API instance.
   */
  watch(scan: ScanEntity, key: ChangeKey = progressKey): AsyncIterableIterator<WatchedScan> {
    const wakeups = pgWakeups(this.pubsub, SCAN_PROGRESS_CHANNEL, (payload) => {
      if (payload === null) return true; // reconnected: re-read, something may have been missed
      try {
        return (JSON.parse(payload) as { scanId?: string }).scanId === scan.id;
      } catch {
        return false;
      }
    });
    const read = async (): Promise<WatchedScan | null> => {
      const now = await findScan(this.dataSource, scan.id);
      return now && Object.assign(now, { progressAtRead: await this.progress(now) });
    };
    const loop = async function* (): AsyncGenerator<WatchedScan> {
      const w = await wakeups;
      // Read after LISTEN is in effect: nothing committed from here on is missed.
      let current = await read();
      if (!current) return;
      let last = key(current, current.progressAtRead!);
      yield current;
      while (current.status === 'queued' || current.status === 'running') {
        if (!(await w.wait())) return;
        const now = await read();
        if (!now) return;
        const k = key(now, now.progressAtRead!);
        if (k !== last) yield now;
        last = k;
        current = now;
      }
    }.call(this);
    // `return()` (the client went away) must not wait for the next notification to arrive.
    return {
      next: () => loop.next(),
      return: async () => {
        await (await wakeups).close();
        return loop.return(undefined);
      },
      throw: (e: unknown) => loop.throw(e),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async list(
    organisationId: string,
    page: PageRequest,
    opts: {
      statuses?: ScanStatus[];
      domainId?: string;
      domain?: string;
      direction: 'ASC' | 'DESC';
    },
  ): Promise<Connection<ScanEntity>> {
    if (opts.domainId) assertUuid(opts.domainId, 'domain');
    const domain = opts.domain ? validDomainOrError(opts.domain, true).ascii : undefined;
    return relayConnection(
      this.dataSource,
      scansQuery(organisationId, { ...opts, domain }),
      page,
      (row: Record<string, unknown>) => row as unknown as ScanEntity,
      await this.pageLimits.maxPageSize(organisationId),
    );
  }

  async resultPage<N>(
    scan: ScanEntity,
    page: PageRequest,
    statuses: ResultStatus[] | undefined,
    toNode: (r: ScanResultEntity) => N,
  ): Promise<Connection<N>> {
    return relayConnection(
      this.dataSource,
      scanResultsQuery(scan.id, { statuses }),
      page,
      (row: Record<string, unknown>) => toNode(row as unknown as ScanResultEntity),
      await this.pageLimits.maxPageSize(scan.organisationId),
    );
  }

  results(scanId: string): Promise<ScanResultEntity[]> {
    return findScanResults(this.dataSource, scanId);
  }

  temporalUiUrl(scan: ScanEntity): string {
    const ns = encodeURIComponent(this.config.temporal.namespace);
    return `${this.config.temporalUiUrl}/namespaces/${ns}/workflows/${encodeURIComponent(scan.workflowId)}`;
  }

  /**
   * From the stored per-scanner progress (written by the activities, kept after the run); scans
   * from before it was stored ask the running workflow, or derive it from their results.
   */
  async progress(scan: ScanEntity): Promise<ScannerProgressModel[]> {
    const rows = await findScanProgress(this.dataSource, scan.id);
    if (rows.length > 0) {
      const order = new Map((scan.scanners ?? []).map((s, i) => [s, i]));
      const rank = (s: string) => order.get(s) ?? Number.MAX_SAFE_INTEGER;
      return rows
        .sort((a, b) => rank(a.scanner) - rank(b.scanner) || a.scanner.localeCompare(b.scanner))
        .map((r) => ({
          scanner: r.scanner,
          state: r.state,
          resultStatus:
            r.state === 'done'
              ? 'completed'
              : r.state === 'could-not-determine'
                ? 'unknown'
                : r.state === 'failed'
                  ? 'failed'
                  : undefined,
          error: r.error ?? undefined,
          attempt: r.attempt || null,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          durationMs:
            r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
        }));
    }
    return this.legacyProgress(scan);
  }

  private async legacyProgress(scan: ScanEntity): Promise<ScannerProgress[]> {
    if (scan.status === 'queued' || scan.status === 'running') {
      try {
        const live = await this.temporal.workflow
          .getHandle(scan.workflowId)
          .query(domainScanProgressQuery);
        return live.scanners;
      } catch (err) {
        this.logger.debug({ err, scanId: scan.id }, 'progress query failed; using stored results');
      }
    }
    const results = new Map((await this.results(scan.id)).map((r) => [r.scanner, r]));
    const planned = (scan.scanners ?? ['dns']) as DomainScanner[];
    return planned.map((scanner): ScannerProgress => {
      const r = results.get(scanner);
      if (!r) return { scanner, state: 'pending' };
      return {
        scanner,
        state: r.status === 'failed' ? 'failed' : 'done',
        resultStatus: r.status,
        error: r.error ?? undefined,
      };
    });
  }
}
