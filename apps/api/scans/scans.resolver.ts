import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { ScanEntity } from '../../../libs/db';
import { ScanResultModel } from './models/scan-result.model';
import { ScanModel } from './models/scan.model';
import { ScannerProgressModel } from './models/scanner-progress.model';
import { ScansService } from './scans.service';

@Resolver(() => ScanModel)
export class ScansResolver {
  constructor(private readonly scans: ScansService) {}

  @Mutation(() => ScanModel, {
    description:
      'Scan a domain now. The name may be Unicode or punycode; IP literals and single labels are refused.',
  })
  requestDomainScan(@Args('domain', { type: () => String }) domain: string): Promise<ScanEntity> {
    return this.scans.requestDomainScan(domain);
  }

  @Query(() => ScanModel)
  scan(@Args('id', { type: () => ID }) id: string): Promise<ScanEntity> {
    return this.scans.getScan(id);
  }

  @ResolveField(() => [ScanResultModel])
  results(@Parent() scan: ScanEntity) {
    return this.scans.results(scan.id);
  }

  @ResolveField(() => [ScannerProgressModel], {
    description: 'Per-scanner state: live while the scan runs, from stored results afterwards.',
  })
  progress(@Parent() scan: ScanEntity) {
    return this.scans.progress(scan);
  }
}
