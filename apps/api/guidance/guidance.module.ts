import { Module } from '@nestjs/common';
import { PageLimits } from '../common/page-limits';
import { DomainComplianceResolver } from './domain-compliance.resolver';
import { GuidanceResolver } from './guidance.resolver';
import { GuidanceService } from './guidance.service';
import { ScanGuidanceResolver } from './scan-guidance.resolver';

@Module({
  providers: [
    GuidanceResolver,
    ScanGuidanceResolver,
    DomainComplianceResolver,
    GuidanceService,
    PageLimits,
  ],
})
export class GuidanceModule {}
