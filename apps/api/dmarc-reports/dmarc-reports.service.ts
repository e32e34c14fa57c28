import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import {
  OrganisationAttribute,
  ScanKindAttribute,
  ScanTargetAttribute,
  TaskQueues,
  type DmarcReportSource,
} from '../../../libs/contracts';
import {
  createDmarcUpload,
  dmarcRecordsQuery,
  dmarcReportsQuery,
  dmarcSourcesQuery,
  dmarcSummary,
  findDmarcReport,
  findDmarcUpload,
  finishDmarcUpload,
  OrganisationEntity,
  type DmarcPeriod,
  type DmarcRecordRow,
  type DmarcReportRow,
  type DmarcSourceFilter,
  type DmarcSourceRow,
  type DmarcUploadRow,
} from '../../../libs/db';
import { InvalidDomainName, validateDomainName } from '../../../libs/domain-name';
import type { Logger } from '../../../libs/telemetry';
import type { dmarcReportIngest } from '../../../workflows/dmarc-report-ingest.workflow';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { relayConnection } from '../common/relay-connection';
import type { PageRequest } from '../../../libs/db/keyset-page';
import { DATA_SOURCE, LOGGER, TEMPORAL_CLIENT } from '../tokens';

const MAX_PERIOD_DAYS = 400;

export function toUploadModel(u: DmarcUploadRow) {
  return { ...u, parts: u.outcome };
}

/** DMARC aggregate reports: uploads start the ingest workflow; queries read what it stored. */
@Injectable()
export class DmarcReportsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly access: AccessService,
  ) {}

  /** Keeps the bytes and starts their ingest; the same path the mailbox and bucket sources take. */
  async upload(
    principal: Principal,
    organisationId: string,
    source: DmarcReportSource,
    sourceRef: string,
    content: Buffer,
  ): Promise<DmarcUploadRow> {
    if (content.length === 0) throw graphQLError('BAD_USER_INPUT', 'the upload is empty');
    const actor = actorOf(principal);
    const upload = await createDmarcUpload(this.dataSource, {
      organisationId,
      source,
      sourceRef,
      content,
      createdBy: `${actor.actorType}:${actor.actorId}`,
    });
    const organisation = await this.dataSource
      .getRepository(OrganisationEntity)
      .findOneByOrFail({ id: organisationId });
    try {
      await this.temporal.connection.withDeadline(Date.now() + 5000, () =>
        this.temporal.workflow.start<typeof dmarcReportIngest>('dmarcReportIngest', {
          taskQueue: TaskQueues.dmarcReports,
          workflowId: upload.workflowId,
          args: [{ uploadId: upload.id }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: ScanKindAttribute, value: 'dmarc-report' },
            { key: ScanTargetAttribute, value: sourceRef.slice(0, 200) },
            { key: OrganisationAttribute, value: organisation.slug },
          ],
          memo: { source, sourceRef: sourceRef.slice(0, 200) },
        }),
      );
    } catch (err) {
      const message = `could not start the ingest workflow: ${(err as Error).message}`;
      this.logger.error({ err, uploadId: upload.id }, message);
      await finishDmarcUpload(this.dataSource, upload.id, { status: 'failed', error: message });
      throw graphQLError('TEMPORAL_UNAVAILABLE', message, { uploadId: upload.id });
    }
    return upload;
  }

  async findUpload(principal: Principal, id: string): Promise<DmarcUploadRow> {
    const u = isUuid(id) ? await findDmarcUpload(this.dataSource, id) : undefined;
    this.access.assertCan(principal, 'viewer', u?.organisationId, 'DMARC report upload', id);
    return u!;
  }

  async findReport(principal: Principal, id: string): Promise<DmarcReportRow> {
    const r = isUuid(id) ? await findDmarcReport(this.dataSource, id) : undefined;
    this.access.assertCan(principal, 'viewer', r?.organisationId, 'DMARC report', id);
    return r!;
  }

  reports(organisationId: string, domain: string | undefined, page: PageRequest) {
    const d = domain === undefined ? undefined : normaliseDomain(domain);
    return relayConnection<DmarcReportRow, DmarcReportRow>(
      this.dataSource,
      dmarcReportsQuery(organisationId, d),
      page,
      (r) => r,
    );
  }

  records(reportId: string, page: PageRequest) {
    return relayConnection<DmarcRecordRow, DmarcRecordRow>(
      this.dataSource,
      dmarcRecordsQuery(reportId),
      page,
      (r) => r,
      1000,
    );
  }

  async summary(organisationId: string, domain: string, from: string, to: string) {
    const period = this.period(organisationId, domain, from, to);
    const { totals, dispositions, days, reporters } = await dmarcSummary(this.dataSource, period);
    const rate = (n: number) => (totals.messageCount > 0 ? n / totals.messageCount : null);
    return {
      domain: period.domain,
      from: period.fromDay,
      to: period.toDay,
      messageCount: totals.messageCount,
      reportCount: totals.reportCount,
      reporterCount: totals.reporterCount,
      sourceCount: totals.sourceCount,
      dmarcPassRate: rate(totals.dmarcPassCount),
      dkimAlignedRate: rate(totals.dkimAlignedCount),
      spfAlignedRate: rate(totals.spfAlignedCount),
      dkimPassRate: rate(totals.dkimPassCount),
      spfPassRate: rate(totals.spfPassCount),
      knownSenderRate: rate(totals.knownSenderMessageCount),
      dispositions,
      volumeByDay: days,
      reporters,
    };
  }

  sources(
    organisationId: string,
    domain: string,
    from: string,
    to: string,
    filter: DmarcSourceFilter,
    page: PageRequest,
  ) {
    const period = this.period(organisationId, domain, from, to);
    return relayConnection<DmarcSourceRow, DmarcSourceRow & { knownSender: boolean }>(
      this.dataSource,
      dmarcSourcesQuery(period, filter),
      page,
      (r) => ({ ...r, knownSender: r.sender !== null }),
    );
  }

  private period(organisationId: string, domain: string, from: string, to: string): DmarcPeriod {
    const day = (v: string, name: string) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
        throw graphQLError('BAD_USER_INPUT', `${name}: a day as YYYY-MM-DD`);
      return v;
    };
    const fromDay = day(from, 'from');
    const toDay = day(to, 'to');
    const span = (Date.parse(toDay) - Date.parse(fromDay)) / 86_400_000;
    if (span < 0) throw graphQLError('BAD_USER_INPUT', '`from` must not be after `to`');
    if (span > MAX_PERIOD_DAYS)
      throw graphQLError('BAD_USER_INPUT', `periods are at most ${MAX_PERIOD_DAYS} days`);
    return { organisationId, domain: normaliseDomain(domain), fromDay, toDay };
  }
}

function normaliseDomain(domain: string): string {
  try {
    return validateDomainName(domain).ascii;
  } catch (err) {
    if (err instanceof InvalidDomainName) throw graphQLError('INVALID_DOMAIN_NAME', err.message);
    throw err;
  }
}
