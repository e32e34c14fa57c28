import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ProbeResultModel } from './models/probe-result.model';
import { ProbeModel } from './models/probe.model';
import { ProbesService } from './probes.service';

@Resolver(() => ProbeModel)
export class ProbesResolver {
  constructor(private readonly service: ProbesService) {}

  @InOrganisation('operator')
  @Mutation(() => ProbeModel, {
    description: 'Register a probe by name (again: a heartbeat). Returns its id for results.',
  })
  registerProbe(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('name', { type: () => String }) name: string,
    @Args('tool', { type: () => String, nullable: true }) tool?: string | null,
  ) {
    return this.service.register(organisationId, name, tool ?? null);
  }

  @OnObject('operator')
  @Mutation(() => ProbeModel, { description: 'A probe says it is alive.' })
  probeHeartbeat(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.heartbeat(principal, id);
  }

  @OnObject('operator')
  @Mutation(() => ProbeResultModel, {
    description:
      'Post a standard result {version, format, meta {uuid, ts, type}, payload}; stored once per meta.uuid and time-stamped.',
  })
  async submitProbeResult(
    @CurrentPrincipal() principal: Principal,
    @Args('probeId', { type: () => ID }) probeId: string,
    @Args('result', { type: () => GraphQLJSON }) result: unknown,
  ) {
    return (await this.service.submit(principal, probeId, result)).result;
  }

  @InOrganisation('viewer')
  @Query(() => [ProbeModel], { description: 'Probes and their presence.' })
  probes(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.service.list(organisationId);
  }

  @InOrganisation('viewer')
  @Query(() => [ProbeResultModel], { description: 'Newest results from probes first.' })
  probeResults(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
  ) {
    return this.service.listResults(organisationId, limit);
  }

  @OnObject('viewer')
  @Query(() => ProbeResultModel)
  probeResult(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.getResult(principal, id);
  }
}
