import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import type { RecurringAuditRow } from '../../../libs/db/recurring-audits.repository';
import { InOrganisation, OnField, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { OrganisationScanModel } from '../organisation-scans/models/organisation-scan.model';
import { ScanModel } from '../scans/models/scan.model';
import { AuditScheduleInput } from './models/audit-schedule.input';
import { AuditScheduleModel, RecurringAuditModel } from './models/recurring-audit.model';
import { RecurringAuditsService } from './recurring-audits.service';

const organisationOf = (audit: RecurringAuditRow) => audit.organisationId;

@Resolver(() => RecurringAuditModel)
export class RecurringAuditsResolver {
  constructor(private readonly service: RecurringAuditsService) {}

  @InOrganisation('viewer')
  @Query(() => [RecurringAuditModel])
  recurringAudits(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.service.list(organisationId);
  }

  @OnObject('viewer')
  @Query(() => RecurringAuditModel)
  recurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.get(principal, id);
  }

  @InOrganisation('admin')
  @Mutation(() => RecurringAuditModel, {
    description:
      'A recurring audit of a domain (when `domain` is given) or of every domain of the organisation. Creating one that exists (same organisation, target and name) answers it unchanged.',
  })
  createRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('name', { type: () => String }) name: string,
    @Args('schedule', { type: () => AuditScheduleInput }) schedule: AuditScheduleInput,
    @Args('domain', { type: () => String, nullable: true }) domain?: string | null,
    @Args('scanners', { type: () => [String], nullable: true }) scanners?: string[] | null,
    @Args('paused', { type: () => Boolean, nullable: true }) paused?: boolean | null,
  ) {
    return this.service.create(principal, organisationId, {
      name,
      domain,
      scanners,
      schedule,
      paused,
    });
  }

  @OnObject('admin')
  @Mutation(() => RecurringAuditModel, { description: 'A new schedule and/or scanners.' })
  updateRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('schedule', { type: () => AuditScheduleInput, nullable: true })
    schedule?: AuditScheduleInput | null,
    @Args('scanners', { type: () => [String], nullable: true }) scanners?: string[] | null,
  ) {
    return this.service.update(principal, id, { schedule, scanners });
  }

  @OnObject('operator')
  @Mutation(() => RecurringAuditModel)
  pauseRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { type: () => String, nullable: true }) note?: string | null,
  ) {
    return this.service.pause(principal, id, note);
  }

  @OnObject('operator')
  @Mutation(() => RecurringAuditModel)
  resumeRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { type: () => String, nullable: true }) note?: string | null,
  ) {
    return this.service.resume(principal, id, note);
  }

  @OnObject('operator')
  @Mutation(() => RecurringAuditModel, { description: 'Run it now, besides its schedule.' })
  triggerRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.trigger(principal, id);
  }

  @OnObject('admin')
  @Mutation(() => Boolean, { description: 'Deletes the schedule; the scans it made stay.' })
  deleteRecurringAudit(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.delete(principal, id);
  }

  @OnField('viewer', organisationOf)
  @ResolveField(() => AuditScheduleModel, {
    nullable: true,
    description: 'From Temporal; null when Temporal cannot be reached.',
  })
  schedule(@Parent() audit: RecurringAuditRow) {
    return this.service.schedule(audit);
  }

  @OnField('viewer', organisationOf)
  @ResolveField(() => [OrganisationScanModel], {
    description: "An organisation audit's runs, newest first (empty for a domain audit).",
  })
  organisationScans(
    @Parent() audit: RecurringAuditRow,
    @Args('first', { type: () => Int, defaultValue: 20, description: 'At most 500.' })
    first: number,
  ) {
    return this.service.organisationScans(audit, first);
  }

  @OnField('viewer', organisationOf)
  @ResolveField(() => [ScanModel], { description: 'The domain scans its runs made, newest first.' })
  scans(
    @Parent() audit: RecurringAuditRow,
    @Args('first', { type: () => Int, defaultValue: 20, description: 'At most 500.' })
    first: number,
  ) {
    return this.service.scans(audit, first);
  }
}
