import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
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
  type ScannerProgress,
} from '../../../libs/contracts';
import {
  createDomainScan,
  findScan,
  findScanResults,
  finishScan,
  OrganisationEntity,
  rememberDkimSelectors,
  type ScanEntity,
  type ScanResultEntity,
} from '../../../libs/db';
import type { Logger } from '../../../libs/telemetry';
import type { domainScan } from '../../../workflows/domain-scan.workflow';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { validDomainOrError } from '../domains/domains.service';
import { DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';

const START_DEADLINE_MS = 5000;
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/i;

/** DKIM selectors are DNS labels (dots allowed between them); at most 20 at a time. */
function validSelectors(selectors: string[]): string[] {
  if (selectors.length > 20) throw graphQLError('BAD_USER_INPUT', 'dkimSelectors: at most 20');
  const bad = selectors.filter((s) => s.length > 200 || !SELECTOR.test(s));
  if (bad.length) {
    throw graphQLError(
      'BAD_USER_INPUT',
      `dkimSelectors: not a selector: ${bad.map((b) => b.slice(0, 64)).join(', ')}`,
    );
  }
  return [...new Set(selectors.map((s) => s.toLowerCase()))];
}

@Injectable()
export class ScansService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly access: AccessService,
  ) {}

  /** Validates the name, records a queued scan and starts its workflow (ID derived from the scan). */
  async requestDomainScan(
    principal: Principal,
    organisationId: string,
    input: string,
    opts: { scanners?: string[]; dkimSelectors?: string[] } = {},
  ): Promise<ScanEntity> {
    const name = validDomainOrError(input);
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
  async getScan(principal: Principal, id: string): Promise<ScanEntity> {
    const scan = isUuid(id) ? await findScan(this.dataSource, id) : null;
    this.access.assertCan(principal, 'viewer', scan?.organisationId, 'scan', id);
    return scan!;
  }

  /**
   * Yields the scan, then each change of its status, until it is finished. Polls the stored row:
   * one indexed read a second per watcher, and no state outside the database.
   */
  async *watch(scan: ScanEntity, intervalMs = 500): AsyncGenerator<ScanEntity> {
    let last = scan;
    yield last;
    while (last.status === 'queued' || last.status === 'running') {
      await new Promise((r) => setTimeout(r, intervalMs));
      const now = await findScan(this.dataSource, scan.id);
      if (!now) return;
      if (now.status !== last.status) yield now;
      last = now;
    }
  }

  results(scanId: string): Promise<ScanResultEntity[]> {
    return findScanResults(this.dataSource, scanId);
  }

  /** Live from the workflow while it runs; from the stored results once it has finished. */
  async progress(scan: ScanEntity): Promise<ScannerProgress[]> {
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
