import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal, Role } from '../../../libs/auth/roles';
import { InOrganisation, Authenticated, SuperAdminOnly } from '../auth/authorize.decorator';
import { RoleEnum } from '../auth/models/role.enum';
import { CurrentPrincipal } from '../auth/request-context';
import { MemberModel } from './models/member.model';
import { OrganisationModel } from './models/organisation.model';
import { OrganisationsService } from './organisations.service';

@Resolver(() => OrganisationModel)
export class OrganisationsResolver {
  constructor(private readonly service: OrganisationsService) {}

  @Authenticated()
  @Query(() => [OrganisationModel], { description: 'Organisations you are a member of.' })
  organisations(@CurrentPrincipal() principal: Principal) {
    return this.service.list(principal);
  }

  @InOrganisation('viewer', 'id')
  @Query(() => OrganisationModel)
  organisation(@Args('id', { type: () => ID }) id: string) {
    return this.service.get(id);
  }

  @SuperAdminOnly()
  @Mutation(() => OrganisationModel)
  createOrganisation(
    @CurrentPrincipal() principal: Principal,
    @Args('slug', { type: () => String }) slug: string,
    @Args('name', { type: () => String }) name: string,
  ) {
    return this.service.create(principal, slug, name);
  }

  @InOrganisation('admin')
  @Query(() => [MemberModel])
  members(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.service.members(organisationId);
  }

  @InOrganisation('admin')
  @Mutation(() => MemberModel)
  addMember(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('email', { type: () => String }) email: string,
    @Args('role', { type: () => RoleEnum }) role: Role,
  ) {
    return this.service.addMember(principal, organisationId, email, role);
  }

  @InOrganisation('admin')
  @Mutation(() => MemberModel)
  setMemberRole(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('role', { type: () => RoleEnum }) role: Role,
  ) {
    return this.service.setRole(principal, organisationId, userId, role);
  }

  @InOrganisation('admin')
  @Mutation(() => Boolean)
  removeMember(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('userId', { type: () => ID }) userId: string,
  ) {
    return this.service.removeMember(principal, organisationId, userId);
  }

  @SuperAdminOnly()
  @Mutation(() => OrganisationModel, {
    description:
      "Caps this organisation's pages at `maxPageSize` rows (1-1000); null returns to the configured GRAPHQL_MAX_PAGE_SIZE.",
  })
  setOrganisationPageSize(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('maxPageSize', { type: () => Int, nullable: true }) maxPageSize: number | null,
  ) {
    return this.service.setPageSize(principal, organisationId, maxPageSize);
  }
}
