import { Args, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { InventoryVersionModel } from './models/inventory-version.model';
import { ExposedVmModel, SurfaceAttackerModel, SurfaceStatsModel } from './models/surface.model';
import { SurfaceService, toVersionModel } from './surface.service';

const env = () => Args('environment', { type: () => String });
const org = () => Args('organisationId', { type: () => ID });

@Resolver()
export class SurfaceResolver {
  constructor(private readonly surface: SurfaceService) {}

  @InOrganisation('operator')
  @Mutation(() => InventoryVersionModel, {
    description:
      'Import a cloud inventory ({"vms": [...], "fw_rules": [...]}) as the next version of an environment. ' +
      'Large inventories: POST the JSON to /organisations/{id}/environments/{name}/inventories.',
  })
  async importInventory(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('inventory', { type: () => GraphQLJSONObject }) inventory: Record<string, unknown>,
  ) {
    const content = Buffer.from(JSON.stringify(inventory));
    return toVersionModel(
      await this.surface.importInventory(principal, organisationId, environment, content),
    );
  }

  @InOrganisation('operator')
  @Mutation(() => InventoryVersionModel, {
    description:
      'Import the inventory stored in an object of one of the organisation’s registered buckets ' +
      '(see registerBucket), as the next version of an environment.',
  })
  async importInventoryFromBucket(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('bucketId', { type: () => ID }) bucketId: string,
    @Args('key', { type: () => String }) key: string,
  ) {
    return toVersionModel(
      await this.surface.importInventoryFromBucket(
        principal,
        organisationId,
        environment,
        bucketId,
        key,
      ),
    );
  }

  @InOrganisation('viewer')
  @Query(() => [InventoryVersionModel], {
    description: 'Every version of every environment, newest first.',
  })
  async inventoryVersions(@org() organisationId: string) {
    return (await this.surface.versions(organisationId)).map(toVersionModel);
  }

  @OnObject('viewer')
  @Query(() => InventoryVersionModel)
  async inventoryVersion(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return toVersionModel(await this.surface.version(principal, id));
  }

  @InOrganisation('viewer')
  @Query(() => [SurfaceAttackerModel], {
    description: 'VMs that can reach this one: directly (one rule), or also through chains of VMs.',
  })
  surfaceAttackers(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('vmId', { type: () => String }) vmId: string,
    @Args('transitive', { type: () => Boolean, defaultValue: false }) transitive: boolean,
  ) {
    return this.surface.attackers(principal, organisationId, environment, vmId, transitive);
  }

  @InOrganisation('viewer')
  @Query(() => [String], {
    nullable: true,
    description: 'A shortest chain of VMs from attacker to target.',
  })
  surfacePath(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('attacker', { type: () => String }) attacker: string,
    @Args('target', { type: () => String }) target: string,
  ) {
    return this.surface.path(principal, organisationId, environment, attacker, target);
  }

  @InOrganisation('viewer')
  @Query(() => [String], { description: 'VMs this one can reach.' })
  surfaceReachable(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('vmId', { type: () => String }) vmId: string,
    @Args('transitive', { type: () => Boolean, defaultValue: false }) transitive: boolean,
  ) {
    return this.surface.reachable(principal, organisationId, environment, vmId, transitive);
  }

  @InOrganisation('viewer')
  @Query(() => [ExposedVmModel])
  surfaceMostExposed(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('limit', { type: () => Int, defaultValue: 10 }) limit: number,
  ) {
    return this.surface.mostExposed(principal, organisationId, environment, limit);
  }

  @InOrganisation('viewer')
  @Query(() => SurfaceStatsModel, {
    description: 'VM count now; request count and average time over a range (default: last 24 h).',
  })
  surfaceStats(
    @CurrentPrincipal() principal: Principal,
    @org() organisationId: string,
    @env() environment: string,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from?: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to?: Date | null,
  ) {
    const end = to ?? new Date();
    const start = from ?? new Date(end.getTime() - 24 * 3600 * 1000);
    return this.surface.stats(principal, organisationId, environment, { from: start, to: end });
  }
}
