import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ConnectionArgs } from '../common/relay-connection';
import { BucketsService, toBucketModel } from './buckets.service';
import {
  BucketModel,
  BucketObjectResultConnection,
  BucketSettingsInput,
  BucketSweepModel,
  BucketVerdictEnum,
  SweepFiltersInput,
} from './models/bucket.model';

@Resolver()
export class BucketsResolver {
  constructor(private readonly service: BucketsService) {}

  @InOrganisation('admin')
  @Mutation(() => BucketModel, {
    description:
      'Register an S3 bucket for malware scanning (on upload, and sweeps) with its actions.',
  })
  async registerBucket(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('name', { type: () => String }) name: string,
    @Args('settings', { type: () => BucketSettingsInput }) settings: BucketSettingsInput,
  ) {
    return toBucketModel(await this.service.register(organisationId, name, settings));
  }

  @OnObject('admin')
  @Mutation(() => BucketModel, { description: "Replace a bucket's scan settings." })
  async updateBucket(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('settings', { type: () => BucketSettingsInput }) settings: BucketSettingsInput,
  ) {
    return toBucketModel(await this.service.update(principal, id, settings));
  }

  @InOrganisation('viewer')
  @Query(() => [BucketModel])
  async buckets(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return (await this.service.list(organisationId)).map(toBucketModel);
  }

  @OnObject('viewer')
  @Query(() => BucketModel)
  async bucket(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return toBucketModel(await this.service.bucket(principal, id, 'viewer'));
  }

  @OnObject('operator')
  @Mutation(() => BucketSweepModel, {
    description:
      'Scan what the bucket already holds. Objects already scanned with the current signature ' +
      'database are skipped unless `force`.',
  })
  async requestBucketScan(
    @CurrentPrincipal() principal: Principal,
    @Args('bucketId', { type: () => ID }) bucketId: string,
    @Args('prefix', { type: () => String, defaultValue: '' }) prefix: string,
    @Args('filters', { type: () => SweepFiltersInput, nullable: true })
    filters: SweepFiltersInput | null,
    @Args('force', { type: () => Boolean, defaultValue: false }) force: boolean,
  ) {
    const sweep = await this.service.requestSweep(
      principal,
      bucketId,
      prefix,
      filters ?? { suffixes: [], minSize: null, maxSize: null },
      force,
    );
    return this.service.toSweepModel(sweep);
  }

  @OnObject('viewer')
  @Query(() => BucketSweepModel, { description: 'A sweep: progress while it runs, summary after.' })
  bucketSweep(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.sweep(principal, id);
  }

  @OnObject('viewer')
  @Subscription(() => BucketSweepModel, {
    resolve: (sweep: BucketSweepModel) => sweep,
    description:
      'The sweep now, then again each time its status or its counts change, until it has finished.',
  })
  async bucketSweepUpdated(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    // Access is checked once, before the first answer.
    return this.service.watchSweep(await this.service.sweep(principal, id));
  }

  @OnObject('viewer')
  @Query(() => BucketObjectResultConnection, {
    description: 'Verdicts per object version, newest first; filter by verdict or sweep.',
  })
  bucketScanResults(
    @CurrentPrincipal() principal: Principal,
    @Args('bucketId', { type: () => ID }) bucketId: string,
    @Args() page: ConnectionArgs,
    @Args('verdict', { type: () => BucketVerdictEnum, nullable: true })
    verdict?: BucketVerdictEnum | null,
    @Args('sweepId', { type: () => ID, nullable: true }) sweepId?: string | null,
  ) {
    return this.service.results(
      principal,
      bucketId,
      { verdict: verdict ?? undefined, sweepId: sweepId ?? undefined },
      page,
    );
  }
}
