import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import {
  DomainScanners,
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
  type ScanEntity,
  type ScanResultEntity,
} from '../../../libs/db';
import { InvalidDomainName, validateDomainName } from '../../../libs/domain-name';
import type { Logger } from '../../../libs/telemetry';
import type { domainScan } from '../../../workflows/domain-scan.workflow';
import { graphQLError } from '../common/graphql-errors';
import { DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';

const START_DEADLINE_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ScansService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Validates the name, records a queued scan and starts its workflow (ID derived from the scan). */
  async requestDomainScan(input: string): Promise<ScanEntity> {
    let name: { ascii: string; unicode: string };
    try {
      name = validateDomainName(input);
    } catch (err) {
      if (err instanceof InvalidDomainName) {
        throw graphQLError('INVALID_DOMAIN_NAME', err.message, { reason: err.reason });
      }
      throw err;
    }
    const { scan, organisation } = await createDomainScan(this.dataSource, { domain: name });
    const workflowInput: DomainScanInput = {
      scanId: scan.id,
      domain: name.ascii,
      scanners: [...DomainScanners],
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

  async getScan(id: string): Promise<ScanEntity> {
    if (!UUID.test(id))
      throw graphQLError('BAD_USER_INPUT', `"${id.slice(0, 64)}" is not a scan id`);
    const scan = await findScan(this.dataSource, id);
    if (!scan) throw graphQLError('NOT_FOUND', `no scan with id ${id}`);
    return scan;
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
    return DomainScanners.map((scanner): ScannerProgress => {
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
