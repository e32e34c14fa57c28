import {
  Args,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import type { OrganisationScanRow } from '../../../libs/db/organisation-scans.repository';
import { InOrganisation, OnField, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ScanModel } from '../scans/models/scan.model';
import {
  OrganisationScanModel,
  OrganisationScanProgressModel,
} from './models/organisation-scan.model';
import { OrganisationScansService } from './organisation-scans.service';

const organisationOf = (scan: OrganisationScanRow) => scan.organisationId;

@Resolver(() => OrganisationScanModel)
export class OrganisationScansResolver {
  constructor(private readonly service: OrganisationScansService) {}

  @InOrganisation('operator')
  @Mutation(() => OrganisationScanModel, {
    description:
      'Scan every domain of an organisation: one parent workflow, one child domain scan per domain, a bounded number at a time.',
  })
  requestOrganisationScan(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('scanners', {
      type: () => [String],
      nullable: true,
      description: 'Scanners or groups (`dns`, `mail`, `spf`, …); all when omitted.',
    })
    scanners?: string[] | null,
    @Args('concurrency', {
      type: () => Int,
      nullable: true,
      description: 'Child scans at once (1–100); the server default when omitted.',
    })
    concurrency?: number | null,
  ) {
    return this.service.request(principal, organisationId, { scanners, concurrency });
  }

  @OnObject('operator')
  @Mutation(() => OrganisationScanModel, {
    description:
      'Stops a queued or running organisation scan: its running child scans are cancelled and no more start. A finished one is a CONFLICT.',
  })
  cancelOrganisationScan(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.cancel(principal, id);
  }

  @OnObject('viewer')
  @Query(() => OrganisationScanModel)
  organisationScan(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.get(principal, id);
  }

  @OnObject('viewer')
  @Subscription(() => OrganisationScanModel, {
    resolve: (scan: OrganisationScanRow) => scan,
    description:
      'The organisation scan now, then again each time its status or child counts change, until it has finished.',
  })
  async organisationScanUpdated(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.watch(await this.service.get(principal, id));
  }

  @OnField('viewer', organisationOf)
  @ResolveField(() => OrganisationScanProgressModel, {
    description: 'Live from the workflow while it runs; from the stored child scans afterwards.',
  })
  progress(@Parent() scan: OrganisationScanRow) {
    return this.service.progress(scan);
  }

  @OnField('viewer', organisationOf)
  @ResolveField(() => [ScanModel], { description: 'The child domain scans, by domain name.' })
  scans(
    @Parent() scan: OrganisationScanRow,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 500.' })
    first: number,
  ) {
    return this.service.children(scan, first);
  }
}
