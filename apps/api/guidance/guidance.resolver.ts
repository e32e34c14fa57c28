import { Inject } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLISODateTime,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from '@nestjs/graphql';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../libs/auth/roles';
import {
  domainComplianceRowOf,
  organisationComplianceAt,
  organisationComplianceTrendQuery,
  organisationDomainComplianceQuery,
  type TrendInterval,
} from '../../../libs/db';
import { guidanceCatalogue, type ComplianceStatus, type DmarcPhase } from '../../../libs/guidance';
import { Authenticated, InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { graphQLError } from '../common/graphql-errors';
import { PageLimits } from '../common/page-limits';
import { ConnectionArgs, connectionType, relayConnection } from '../common/relay-connection';
import { ScanModel } from '../scans/models/scan.model';
import { SeverityEnum } from '../scans/models/finding.model';
import { DATA_SOURCE } from '../tokens';
import { complianceModelOf, GuidanceService, organisationComplianceOf } from './guidance.service';
import {
  DomainComplianceEntryModel,
  DomainComplianceModel,
  OrganisationComplianceModel,
} from './models/compliance.model';
import { ComplianceStatusEnum, DmarcPhaseEnum, TrendIntervalEnum } from './models/guidance-enums';
import { GuidanceTagModel } from './models/guidance-tag.model';

@ObjectType('ComplianceTrendPoint', {
  description: 'The organisation’s compliance at the end of one period (`at`).',
})
export class ComplianceTrendPointModel extends OrganisationComplianceModel {
  @Field(() => GraphQLISODateTime)
  periodStart!: Date;
}

@ObjectType()
export class ComplianceTrendConnection extends connectionType(
  ComplianceTrendPointModel,
  'ComplianceTrendPoint',
) {}

@ObjectType()
export class DomainComplianceConnection extends connectionType(
  DomainComplianceEntryModel,
  'DomainComplianceEntry',
) {}

/** The most periods one trend may span. */
const MAX_PERIODS: Record<TrendInterval, number> = { day: 366, week: 260, month: 120 };
const PERIOD_MS: Record<TrendInterval, number> = {
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 28 * 86_400_000,
};

@Resolver()
export class GuidanceResolver {
  constructor(
    private readonly guidance: GuidanceService,
    private readonly pageLimits: PageLimits,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  @Authenticated()
  @Query(() => String, { description: 'The version of the guidance catalogue this API serves.' })
  guidanceCatalogueVersion(): string {
    return guidanceCatalogue().version;
  }

  @Authenticated()
  @Query(() => [GuidanceTagModel], {
    description:
      'The guidance catalogue: every tag a scan can carry, optionally one area or severity.',
  })
  guidanceTags(
    @Args('area', { type: () => String, nullable: true }) area?: string | null,
    @Args('severity', { type: () => SeverityEnum, nullable: true }) severity?: string | null,
  ) {
    return this.guidance.tags({ area, severity });
  }

  @Authenticated()
  @Query(() => GuidanceTagModel)
  guidanceTag(@Args('id', { type: () => ID }) id: string) {
    return this.guidance.tag(id);
  }

  @OnObject('viewer')
  @Query(() => DomainComplianceModel, {
    nullable: true,
    description: 'The domain’s compliance from its newest evaluated scan; null before any.',
  })
  domainCompliance(
    @CurrentPrincipal() principal: Principal,
    @Args('domainId', { type: () => ID }) domainId: string,
  ) {
    return this.guidance.domainCompliance(principal, domainId);
  }

  @InOrganisation('viewer')
  @Query(() => OrganisationComplianceModel, {
    description: 'Counts and percentages of compliant domains, each as of its newest scan.',
  })
  organisationCompliance(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.guidance.organisationCompliance(organisationId);
  }

  @InOrganisation('viewer')
  @Query(() => ComplianceTrendConnection, {
    description:
      'Compliance over time: one point per period from `from` to `to`, each counting every domain as of its newest scan before the period’s end.',
  })
  async organisationComplianceTrend(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to: Date | null,
    @Args('interval', { type: () => TrendIntervalEnum, defaultValue: 'day' })
    interval: TrendInterval,
    @Args() page: ConnectionArgs,
  ) {
    const end = to ?? new Date();
    if (!(from.getTime() < end.getTime())) {
      throw graphQLError('BAD_USER_INPUT', '`from` must be before `to`');
    }
    const periods = Math.ceil((end.getTime() - from.getTime()) / PERIOD_MS[interval]);
    if (periods > MAX_PERIODS[interval]) {
      throw graphQLError(
        'BAD_USER_INPUT',
        `at most ${MAX_PERIODS[interval]} ${interval}s per trend; narrow the range or use a longer interval`,
      );
    }
    const connection = await relayConnection(
      this.dataSource,
      organisationComplianceTrendQuery(organisationId, from, end, interval),
      page,
      (row: Record<string, unknown>) => ({
        periodStart: row.at as Date,
        periodEnd: row.period_end as Date,
      }),
      await this.pageLimits.maxPageSize(organisationId),
    );
    // The page's periods first, then their counts in one query.
    const counts = await organisationComplianceAt(
      this.dataSource,
      organisationId,
      connection.nodes.map((n) => n.periodEnd),
    );
    const points = new Map(
      connection.nodes.map((n): [typeof n, ComplianceTrendPointModel] => [
        n,
        {
          ...organisationComplianceOf(n.periodEnd, counts.get(n.periodEnd.getTime())!),
          periodStart: n.periodStart,
        },
      ]),
    );
    return {
      ...connection,
      edges: connection.edges.map((e) => ({ cursor: e.cursor, node: points.get(e.node)! })),
      nodes: connection.nodes.map((n) => points.get(n)!),
    };
  }

  @InOrganisation('viewer')
  @Query(() => DomainComplianceConnection, {
    description:
      'The organisation’s domains with their newest compliance, by name; filter by status, phase or tag.',
  })
  async organisationDomainCompliance(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args() page: ConnectionArgs,
    @Args('web', { type: () => ComplianceStatusEnum, nullable: true })
    web?: ComplianceStatus | null,
    @Args('mail', { type: () => ComplianceStatusEnum, nullable: true })
    mail?: ComplianceStatus | null,
    @Args('dmarcPhase', { type: () => DmarcPhaseEnum, nullable: true })
    dmarcPhase?: DmarcPhase | null,
    @Args('tag', {
      type: () => String,
      nullable: true,
      description: 'Only domains whose newest scan carries this guidance tag.',
    })
    tag?: string | null,
  ) {
    if (tag != null && !guidanceCatalogue().tags.has(tag)) {
      throw graphQLError('BAD_USER_INPUT', `unknown guidance tag "${tag.slice(0, 100)}"`);
    }
    return relayConnection(
      this.dataSource,
      organisationDomainComplianceQuery(organisationId, {
        web: web ?? undefined,
        mail: mail ?? undefined,
        phase: dmarcPhase ?? undefined,
        tag: tag ?? undefined,
      }),
      page,
      (row: Record<string, unknown>) => {
        const { domainId, name, evaluation } = domainComplianceRowOf(row);
        return {
          domainId,
          domain: name,
          compliance: evaluation ? complianceModelOf(evaluation) : null,
        };
      },
      await this.pageLimits.maxPageSize(organisationId),
    );
  }

  @OnObject('operator')
  @Mutation(() => ScanModel, {
    description:
      'Evaluates a finished scan’s stored results again, against the catalogue this API serves (no rescanning).',
  })
  reevaluateScanGuidance(
    @CurrentPrincipal() principal: Principal,
    @Args('scanId', { type: () => ID }) scanId: string,
  ) {
    return this.guidance.reevaluateScan(principal, scanId);
  }

  @InOrganisation('operator')
  @Mutation(() => Int, {
    description:
      'Re-evaluates the newest finished scan of each of the organisation’s domains (at most 1000); returns how many.',
  })
  reevaluateOrganisationGuidance(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
  ) {
    return this.guidance.reevaluateOrganisation(principal, organisationId);
  }
}
