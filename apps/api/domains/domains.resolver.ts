import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { DomainsService } from './domains.service';
import { DomainModel } from './models/domain.model';

@Resolver(() => DomainModel)
export class DomainsResolver {
  constructor(private readonly service: DomainsService) {}

  @InOrganisation('viewer')
  @Query(() => [DomainModel])
  domains(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.service.list(organisationId);
  }

  @InOrganisation('operator')
  @Mutation(() => DomainModel, { description: 'Adding a domain it already has returns it.' })
  addDomain(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
  ) {
    return this.service.add(principal, organisationId, domain);
  }

  @OnObject('operator')
  @Mutation(() => Boolean)
  removeDomain(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.remove(principal, id);
  }
}
