import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { ScanEntity } from '../../../libs/db';
import { OnField } from '../auth/authorize.decorator';
import { ScanModel } from '../scans/models/scan.model';
import { GuidanceService } from './guidance.service';
import { DomainComplianceModel } from './models/compliance.model';
import { ScanGuidanceTagModel } from './models/guidance-tag.model';

const scanOrganisation = (scan: ScanEntity) => scan.organisationId;

/** The scan's guidance, as fields of `Scan` (kept here, beside the rest of guidance). */
@Resolver(() => ScanModel)
export class ScanGuidanceResolver {
  constructor(private readonly guidance: GuidanceService) {}

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => [ScanGuidanceTagModel], {
    description: 'Guidance tags of the scan, worst first; empty until its guidance step ran.',
  })
  guidanceTags(@Parent() scan: ScanEntity) {
    return this.guidance.scanTags(scan.id);
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => DomainComplianceModel, {
    nullable: true,
    description: 'Web and mail compliance as this scan showed it; null until evaluated.',
  })
  compliance(@Parent() scan: ScanEntity) {
    return this.guidance.scanCompliance(scan.id);
  }
}
