import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import type { DomainOrder } from '../../../libs/db';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { OrderDirectionEnum, type OrderDirection } from '../common/order-direction';
import { ConnectionArgs } from '../common/relay-connection';
import { DomainsService, MAX_BULK_DOMAINS } from './domains.service';
import {
  DomainConnection,
  DomainLabelConnection,
  DomainModel,
  DomainOrderFieldEnum,
} from './models/domain.model';

@Resolver(() => DomainModel)
export class DomainsResolver {
  constructor(private readonly service: DomainsService) {}

  @InOrganisation('viewer')
  @Query(() => DomainConnection, {
    description:
      "The organisation's domains as a Relay connection; filter by label and by text in the name.",
  })
  domains(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args() page: ConnectionArgs,
    @Args('label', { type: () => String, nullable: true }) label?: string | null,
    @Args('search', {
      type: () => String,
      nullable: true,
      description: 'Part of the name, ASCII or Unicode form.',
    })
    search?: string | null,
    @Args('orderBy', { type: () => DomainOrderFieldEnum, defaultValue: 'name' })
    orderBy: DomainOrder = 'name',
    @Args('direction', { type: () => OrderDirectionEnum, defaultValue: 'ASC' })
    direction: OrderDirection = 'ASC',
  ) {
    return this.service.list(organisationId, page, {
      label: label ?? undefined,
      search: search ?? undefined,
      order: orderBy,
      direction,
    });
  }

  @InOrganisation('viewer')
  @Query(() => DomainLabelConnection, {
    description: "The labels on the organisation's domains, by name, with their domain counts.",
  })
  domainLabels(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args() page: ConnectionArgs,
  ) {
    return this.service.labels(organisationId, page);
  }

  @InOrganisation('operator')
  @Mutation(() => DomainModel, { description: 'Adding a domain it already has returns it.' })
  addDomain(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
    @Args('labels', {
      type: () => [String],
      nullable: true,
      description: 'Labels for a new membership.',
    })
    labels?: string[] | null,
  ) {
    return this.service.add(principal, organisationId, domain, labels ?? []);
  }

  @InOrganisation('operator')
  @Mutation(() => [DomainModel], {
    description: `Adds up to ${MAX_BULK_DOMAINS} names at once, all or none: if any is refused, the INVALID_DOMAIN_NAME error lists each refused name (extensions.invalid: index, input, reason, message) and nothing is added. Returns the domains in input order; ones it already had are unchanged.`,
  })
  addDomains(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('domains', { type: () => [String] }) domains: string[],
    @Args('labels', {
      type: () => [String],
      nullable: true,
      description: 'Labels for the new memberships.',
    })
    labels?: string[] | null,
  ) {
    return this.service.addMany(principal, organisationId, domains, labels ?? []);
  }

  @OnObject('operator')
  @Mutation(() => Boolean)
  removeDomain(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.remove(principal, id);
  }

  @OnObject('operator')
  @Mutation(() => DomainModel, {
    description: "Replaces the membership's labels (lowercase a-z 0-9 . _ : -, at most 20).",
  })
  setDomainLabels(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('labels', { type: () => [String] }) labels: string[],
  ) {
    return this.service.setLabels(principal, id, labels);
  }

  @OnObject('operator')
  @Mutation(() => DomainModel, {
    description:
      "Replaces the DKIM selectors this domain's scans try besides the built-in catalogue.",
  })
  setDkimSelectors(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('selectors', { type: () => [String] }) selectors: string[],
  ) {
    return this.service.setDkimSelectors(principal, id, selectors);
  }
}
