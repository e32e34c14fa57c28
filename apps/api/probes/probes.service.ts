import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { PerimeterConfig } from '../../../libs/config/config';
import { TaskQueues, timestampProbeResultWorkflowId } from '../../../libs/contracts';
import {
  findProbe,
  findProbeResult,
  listProbeResults,
  listProbes,
  registerProbe,
  storeProbeResult,
  touchProbe,
  type ProbeResultRow,
  type ProbeRow,
} from '../../../libs/db/probes.repository';
import type { Principal } from '../../../libs/auth/roles';
import { findResultTimestamp } from '../../../libs/db/proof.repository';
import { publishResultEvent } from '../../../libs/db/result-events';
import { InvalidProbeResult, parseStandardResult } from '../../../libs/probes';
import { canonicalBytes } from '../../../libs/proof';
import type { Logger } from '../../../libs/telemetry';
import type { timestampResults } from '../../../workflows/timestamp-results.workflow';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';
import type { ProbeResultModel } from './models/probe-result.model';
import type { ProbeModel } from './models/probe.model';

const PROBE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const START_DEADLINE_MS = 5000;

export function probeResultModel(row: ProbeResultRow): ProbeResultModel {
  const doc = row.document as { version: unknown; format: string; payload: unknown };
  return {
    id: row.id,
    organisationId: row.organisationId,
    probeId: row.probeId,
    probeName: row.probeName,
    uuid: row.resultUuid,
    type: row.resultType,
    ts: row.resultTs,
    format: doc.format,
    version: doc.version,
    payload: doc.payload,
    document: row.document,
    receivedAt: row.receivedAt,
  };
}

@Injectable()
export class ProbesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly access: AccessService,
  ) {}

  probeModel(row: ProbeRow): ProbeModel {
    const presenceMs = this.config.probes.presenceSeconds * 1000;
    return { ...row, online: Date.now() - row.lastSeenAt.getTime() <= presenceMs };
  }

  async register(organisationId: string, name: string, tool: string | null): Promise<ProbeModel> {
    if (!PROBE_NAME.test(name)) {
      throw graphQLError(
        'BAD_USER_INPUT',
        'name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      );
    }
    if (tool !== null && (tool.length === 0 || tool.length > 200)) {
      throw graphQLError('BAD_USER_INPUT', 'tool: 1 to 200 characters');
    }
    return this.probeModel(await registerProbe(this.dataSource, { organisationId, name, tool }));
  }

  private async probeFor(principal: Principal, id: string, need: 'viewer' | 'operator') {
    const probe = isUuid(id) ? await findProbe(this.dataSource, id) : null;
    this.access.assertCan(principal, need, probe?.organisationId, 'probe', id);
    return probe!;
  }

  async heartbeat(principal: Principal, id: string): Promise<ProbeModel> {
    await this.probeFor(principal, id, 'operator');
    const probe = await touchProbe(this.dataSource, id);
    if (!probe) throw this.access.notFoundError(principal, 'probe', id);
    return this.probeModel(probe);
  }

  async list(organisationId: string): Promise<ProbeModel[]> {
    return (await listProbes(this.dataSource, organisationId)).map((p) => this.probeModel(p));
  }

  /**
   * Validates a standard result, stores it once per `meta.uuid`, and has it time-stamped. Nothing
   * is stored for an invalid result.
   */
  async submit(
    principal: Principal,
    probeId: string,
    input: unknown,
  ): Promise<{ result: ProbeResultModel; created: boolean }> {
    const probe = await this.probeFor(principal, probeId, 'operator');
    let result;
    try {
      result = parseStandardResult(input);
    } catch (err) {
      if (!(err instanceof InvalidProbeResult)) throw err;
      throw graphQLError(
        err.issues.some((i) => i.message.includes('bytes, more than'))
          ? 'PAYLOAD_TOO_LARGE'
          : 'BAD_USER_INPUT',
        err.message,
        { issues: err.issues },
      );
    }
    const { row, created } = await storeProbeResult(this.dataSource, {
      organisationId: probe.organisationId,
      probeId: probe.id,
      resultUuid: result.meta.uuid,
      resultType: result.meta.type,
      resultTs: result.meta.ts,
      document: result,
    });
    if (!created && !canonicalBytes(row.document).equals(canonicalBytes(result))) {
      throw graphQLError(
        'CONFLICT',
        `meta.uuid ${result.meta.uuid} was already used for a different result`,
        { resultId: row.id },
      );
    }
    if (created) {
      await publishResultEvent(this.dataSource, {
        type: 'probe-result',
        organisationId: row.organisationId,
        resultId: row.id,
        resultKind: 'probe-result',
      });
      await this.startTimestamping(row.id);
    } else if (
      !(await findResultTimestamp(this.dataSource, { kind: 'probe-result', id: row.id }))
    ) {
      // Posted again before it was time-stamped (e.g. Temporal was down the first time): ask again.
      await this.startTimestamping(row.id);
    }
    return { result: probeResultModel(row), created };
  }

  /** A result whose workflow cannot start now stays "not yet time-stamped"; it is not lost. */
  private async startTimestamping(resultId: string): Promise<void> {
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.workflow.start<typeof timestampResults>('timestampResults', {
          taskQueue: TaskQueues.domainScans,
          workflowId: timestampProbeResultWorkflowId(resultId),
          args: [{ probeResultIds: [resultId] }],
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      this.logger.error({ err, resultId }, 'could not start time-stamping of a probe result');
    }
  }

  async getResult(principal: Principal, id: string): Promise<ProbeResultModel> {
    const row = isUuid(id) ? await findProbeResult(this.dataSource, id) : null;
    this.access.assertCan(principal, 'viewer', row?.organisationId, 'probe result', id);
    return probeResultModel(row!);
  }

  async listResults(organisationId: string, limit: number): Promise<ProbeResultModel[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw graphQLError('BAD_USER_INPUT', 'limit: 1 to 500');
    }
    return (await listProbeResults(this.dataSource, organisationId, limit)).map(probeResultModel);
  }
}
