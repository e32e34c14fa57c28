import { Inject, Injectable } from '@nestjs/common';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleHandle,
} from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import {
  auditRunWorkflowId,
  recurringAuditScheduleId,
  OrganisationAttribute,
  ScanKindAttribute,
  TaskQueues,
  type AuditRunInput,
} from '../../../libs/contracts';
import { ensureDomain, OrganisationEntity, recordAudit, type ScanEntity } from '../../../libs/db';
import {
  deleteRecurringAudit,
  findRecurringAudit,
  listRecurringAudits,
  recurringAuditScans,
  setRecurringAuditScanners,
  upsertRecurringAudit,
  type RecurringAuditRow,
} from '../../../libs/db/recurring-audits.repository';
import {
  recurringAuditOrganisationScans,
  type OrganisationScanRow,
} from '../../../libs/db/organisation-scans.repository';
import type { Logger } from '../../../libs/telemetry';
import type { auditRun } from '../../../workflows/audit-run.workflow';
import type { Role } from '../../../libs/auth/roles';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { validDomainOrError } from '../domains/domains.service';
import { scannersOrError } from '../organisation-scans/organisation-scans.service';
import { CONFIG, DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';
import {
  fromScheduleDescription,
  InvalidAuditSchedule,
  toScheduleSpec,
  type AuditScheduleFields,
  type AuditScheduleState,
} from './audit-schedule';

// Generous: an update is two calls (describe, then update), and a busy server answers slowly.
const DEADLINE_MS = 10_000;
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function specOrError(schedule: AuditScheduleFields, minInterval: number) {
  try {
    return toScheduleSpec(schedule, minInterval);
  } catch (err) {
    if (err instanceof InvalidAuditSchedule) throw graphQLError('BAD_USER_INPUT', err.message);
    throw err;
  }
}

/**
 * Recurring audits: a Temporal Schedule each (the source of truth for when and whether it runs),
 * listed per organisation in the database. One small function per schedule operation.
 */
@Injectable()
export class RecurringAuditsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    private readonly access: AccessService,
  ) {}

  /** Temporal calls with a bounded wait; "unavailable" is a typed error, not a hang. */
  private async withTemporal<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.temporal.connection.withDeadline(Date.now() + DEADLINE_MS, call);
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw graphQLError('NOT_FOUND', `the audit's schedule no longer exists in Temporal`);
      }
      if (err instanceof ScheduleAlreadyRunning) throw err;
      const message = `could not ${what}: ${(err as Error).message}`;
      this.logger.error({ err }, message);
      throw graphQLError('TEMPORAL_UNAVAILABLE', message);
    }
  }

  private handle(audit: RecurringAuditRow): ScheduleHandle {
    return this.temporal.schedule.getHandle(audit.scheduleId);
  }

  /** Creating an audit that exists (same organisation, target and name) answers the existing one. */
  async create(
    principal: Principal,
    organisationId: string,
    input: {
      name: string;
      domain?: string | null;
      scanners?: string[] | null;
      schedule: AuditScheduleFields;
      paused?: boolean | null;
    },
  ): Promise<RecurringAuditRow> {
    if (!NAME.test(input.name)) {
      throw graphQLError(
        'BAD_USER_INPUT',
        'name: 1–63 lowercase letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    const domainName = input.domain != null ? validDomainOrError(input.domain) : null;
    const scanners = scannersOrError(input.scanners);
    const { spec, overlap } = specOrError(input.schedule, this.config.auditMinIntervalSeconds);
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOneByOrFail({ id: organisationId });
    const scheduleId = recurringAuditScheduleId(
      organisationId,
      domainName ? { kind: 'domain', domain: domainName.ascii } : { kind: 'organisation' },
      input.name,
    );
    const actor = actorOf(principal);
    const domain = domainName
      ? await ensureDomain(this.dataSource.manager, organisationId, domainName)
      : null;
    const { audit, created } = await upsertRecurringAudit(this.dataSource, {
      organisationId,
      name: input.name,
      targetKind: domain ? 'domain' : 'organisation',
      domain,
      scanners,
      scheduleId,
      createdBy: `${actor.actorType}:${actor.actorId}`,
    });
    try {
      await this.withTemporal('create the schedule', () =>
        this.temporal.schedule.create({
          scheduleId,
          spec,
          action: {
            type: 'startWorkflow',
            workflowType: 'auditRun' satisfies (typeof auditRun)['name'],
            workflowId: auditRunWorkflowId(audit.id),
            taskQueue: TaskQueues.domainScans,
            args: [{ recurringAuditId: audit.id } satisfies AuditRunInput],
            typedSearchAttributes: [
              { key: ScanKindAttribute, value: 'audit' },
              { key: OrganisationAttribute, value: organisation.slug },
            ],
            memo: { audit: input.name, organisation: organisation.slug },
          },
          policies: { overlap, catchupWindow: '10 minutes' },
          state: input.paused ? { paused: true, note: 'created paused' } : {},
        }),
      );
    } catch (err) {
      // It exists already: creating it again is a success that changes nothing.
      if (!(err instanceof ScheduleAlreadyRunning)) {
        if (created) await deleteRecurringAudit(this.dataSource, audit.id);
        throw err;
      }
    }
    if (created) await this.record(principal, audit, 'recurring_audit.create', { scheduleId });
    return audit;
  }

  private record(
    principal: Principal,
    audit: RecurringAuditRow,
    action: string,
    details: Record<string, unknown> = {},
  ) {
    return recordAudit(this.dataSource.manager, {
      organisationId: audit.organisationId,
      ...actorOf(principal),
      action,
      targetType: 'recurring_audit',
      targetId: audit.id,
      details: { name: audit.name, ...details },
    });
  }

  async get(principal: Principal, id: string, need: Role = 'viewer'): Promise<RecurringAuditRow> {
    const audit = isUuid(id) ? await findRecurringAudit(this.dataSource, id) : null;
    this.access.assertCan(principal, need, audit?.organisationId, 'recurring audit', id);
    return audit!;
  }

  list(organisationId: string): Promise<RecurringAuditRow[]> {
    return listRecurringAudits(this.dataSource, organisationId);
  }

  async update(
    principal: Principal,
    id: string,
    input: { schedule?: AuditScheduleFields | null; scanners?: string[] | null },
  ): Promise<RecurringAuditRow> {
    const audit = await this.get(principal, id, 'admin');
    if (!input.schedule && !input.scanners) {
      throw graphQLError('BAD_USER_INPUT', 'give a schedule, scanners, or both');
    }
    const scanners = input.scanners ? scannersOrError(input.scanners) : null;
    const next = input.schedule
      ? specOrError(input.schedule, this.config.auditMinIntervalSeconds)
      : null;
    if (next) {
      await this.withTemporal('update the schedule', () =>
        this.handle(audit).update((prev) => ({
          ...prev,
          spec: next.spec,
          policies: { ...prev.policies, overlap: next.overlap },
        })),
      );
    }
    if (scanners) await setRecurringAuditScanners(this.dataSource, audit.id, scanners);
    await this.record(principal, audit, 'recurring_audit.update', {
      schedule: Boolean(next),
      scanners: scanners ?? undefined,
    });
    return (await findRecurringAudit(this.dataSource, audit.id))!;
  }

  async pause(principal: Principal, id: string, note?: string | null) {
    const audit = await this.get(principal, id, 'operator');
    await this.withTemporal('pause the schedule', () =>
      this.handle(audit).pause((note ?? 'paused').slice(0, 500)),
    );
    await this.record(principal, audit, 'recurring_audit.pause');
    return audit;
  }

  async resume(principal: Principal, id: string, note?: string | null) {
    const audit = await this.get(principal, id, 'operator');
    await this.withTemporal('resume the schedule', () =>
      this.handle(audit).unpause((note ?? 'resumed').slice(0, 500)),
    );
    await this.record(principal, audit, 'recurring_audit.resume');
    return audit;
  }

  /** Runs it now, besides its schedule (the overlap policy still applies: ALLOW_ALL here). */
  async trigger(principal: Principal, id: string) {
    const audit = await this.get(principal, id, 'operator');
    await this.withTemporal('trigger the schedule', () => this.handle(audit).trigger('ALLOW_ALL'));
    await this.record(principal, audit, 'recurring_audit.trigger');
    return audit;
  }

  /** Deletes the schedule, then the row; scans it produced stay. Deleting twice is "not found". */
  async delete(principal: Principal, id: string): Promise<boolean> {
    const audit = await this.get(principal, id, 'admin');
    try {
      await this.withTemporal('delete the schedule', () => this.handle(audit).delete());
    } catch (err) {
      // Gone from Temporal already: the row is all that is left to remove.
      if ((err as { extensions?: { code?: string } }).extensions?.code !== 'NOT_FOUND') throw err;
    }
    await deleteRecurringAudit(this.dataSource, audit.id);
    await this.record(principal, audit, 'recurring_audit.delete');
    return true;
  }

  /** The schedule's state from Temporal; null when the schedule is gone or Temporal is down. */
  async schedule(audit: RecurringAuditRow): Promise<AuditScheduleState | null> {
    try {
      return fromScheduleDescription(
        await this.temporal.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
          this.handle(audit).describe(),
        ),
      );
    } catch (err) {
      this.logger.warn({ err, scheduleId: audit.scheduleId }, 'could not describe the schedule');
      return null;
    }
  }

  organisationScans(audit: RecurringAuditRow, first: number): Promise<OrganisationScanRow[]> {
    return recurringAuditOrganisationScans(
      this.dataSource,
      audit.id,
      Math.min(Math.max(first, 1), 500),
    );
  }

  scans(audit: RecurringAuditRow, first: number): Promise<ScanEntity[]> {
    return recurringAuditScans(this.dataSource, audit.id, Math.min(Math.max(first, 1), 500));
  }
}
