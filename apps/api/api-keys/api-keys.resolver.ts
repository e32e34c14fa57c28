import { Args, GraphQLISODateTime, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal, Role } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { RoleEnum } from '../auth/models/role.enum';
import { CurrentPrincipal } from '../auth/request-context';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyModel, CreatedApiKeyModel } from './models/api-key.model';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @InOrganisation('admin')
  @Query(() => [ApiKeyModel])
  apiKeys(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.keys.list(organisationId);
  }

  @InOrganisation('admin')
  @Mutation(() => CreatedApiKeyModel, {
    description: 'The token is in the answer, and only there.',
  })
  createApiKey(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('name', { type: () => String }) name: string,
    @Args('role', { type: () => RoleEnum }) role: Role,
    @Args('expiresAt', { type: () => GraphQLISODateTime, nullable: true }) expiresAt?: Date | null,
  ) {
    return this.keys.create(principal, {
      organisationId,
      name,
      role,
      expiresAt: expiresAt ?? null,
    });
  }

  @OnObject('admin')
  @Mutation(() => ApiKeyModel)
  revokeApiKey(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.keys.revoke(principal, id);
  }
}
