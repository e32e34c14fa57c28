import {
  Args,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import type { ScanEntity } from '../../../libs/db';
import { InOrganisation, OnField, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ScanResultModel } from './models/scan-result.model';
import { ScanModel } from './models/scan.model';
import { ScannerProgressModel } from './models/scanner-progress.model';
import { ScansService } from './scans.service';

const scanOrganisation = (scan: ScanEntity) => scan.organisationId;

@Resolver(() => ScanModel)
export class ScansResolver {
  constructor(private readonly scans: ScansService) {}

  @Mutation(() => ScanModel, {
    description:
      'Scan a domain now. The name may be Unicode or punycode; IP literals and single labels are refused.',
  })
  @InOrganisation('operator')
  requestDomainScan(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
  ): Promise<ScanEntity> {
    return this.scans.requestDomainScan(principal, organisationId, domain);
  }

  @OnObject('viewer')
  @Query(() => ScanModel)
  scan(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string) {
    return this.scans.getScan(principal, id);
  }

  @OnObject('viewer')
  @Subscription(() => ScanModel, {
    resolve: (scan: ScanEntity) => scan,
    description: 'The scan now, then again each time its status changes, until it has finished.',
  })
  async scanUpdated(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.scans.watch(await this.scans.getScan(principal, id));
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => [ScanResultModel])
  results(@Parent() scan: ScanEntity) {
    return this.scans.results(scan.id);
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => [ScannerProgressModel], {
    description: 'Per-scanner state: live while the scan runs, from stored results afterwards.',
  })
  progress(@Parent() scan: ScanEntity) {
    return this.scans.progress(scan);
  }
}
