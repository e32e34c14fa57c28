import { Args, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnField, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ConnectionArgs } from '../common/relay-connection';
import {
  DmarcRecordConnection,
  DmarcReportConnection,
  DmarcReportModel,
  DmarcReportUploadModel,
  DmarcSourceConnection,
  DmarcSourceFilterEnum,
  DmarcSummaryModel,
} from './models/dmarc-report.model';
import { DmarcReportsService, toUploadModel } from './dmarc-reports.service';

const org = () => Args('organisationId', { type: () => ID });
const day = (name: string) =>
  Args(name, { type: () => String, description: 'A day, YYYY-MM-DD (UTC), inclusive.' });

@Resolver(() => DmarcReportModel)
export class DmarcReportsResolver {
  constructor(private readonly reports: DmarcReportsService) {}

  @OnObject('viewer')
  @Query(() => DmarcReportUploadModel, {
    description: 'An upload (API, mailbox message or bucket object) and the reports found in it.',
  })
  async dmarcReportUpload(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return toUploadModel(await this.reports.findUpload(principal, id));
  }

  @InOrganisation('viewer')
  @Query(() => DmarcReportConnection, {
    description: 'Stored aggregate reports, the latest period first; optionally one domain’s.',
  })
  dmarcReports(
    @org() organisationId: string,
    @Args('domain', { type: () => String, nullable: true }) domain: string | undefined,
    @Args() page: ConnectionArgs,
  ) {
    return this.reports.reports(organisationId, domain ?? undefined, page);
  }

  @OnObject('viewer')
  @Query(() => DmarcReportModel)
  dmarcReport(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.reports.findReport(principal, id);
  }

  @OnField('viewer', (report: DmarcReportModel) => report.organisationId)
  @ResolveField(() => DmarcRecordConnection, {
    description: 'The report’s rows (up to 1000 a page).',
  })
  records(@Parent() report: DmarcReportModel, @Args() page: ConnectionArgs) {
    return this.reports.records(report.id, page);
  }

  @InOrganisation('viewer')
  @Query(() => DmarcSummaryModel, {
    description:
      'Volume by day, DMARC/DKIM/SPF pass and alignment rates, dispositions and reporters of a domain over a period.',
  })
  dmarcSummary(
    @org() organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
    @day('from') from: string,
    @day('to') to: string,
  ) {
    return this.reports.summary(organisationId, domain, from, to);
  }

  @InOrganisation('viewer')
  @Query(() => DmarcSourceConnection, {
    description:
      'Source addresses of the domain’s mail over a period, most messages first: top sources, failing sources, DKIM-only and SPF-only senders.',
  })
  dmarcSources(
    @org() organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
    @day('from') from: string,
    @day('to') to: string,
    @Args('filter', { type: () => DmarcSourceFilterEnum, defaultValue: 'all' })
    filter: (typeof DmarcSourceFilterEnum)[keyof typeof DmarcSourceFilterEnum],
    @Args() page: ConnectionArgs,
  ) {
    return this.reports.sources(organisationId, domain, from, to, filter, page);
  }
}
