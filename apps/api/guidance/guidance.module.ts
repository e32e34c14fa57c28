import { Module } from '@nestjs/common';
import { PageLimits } from '../common/page-limits';
import { GuidanceResolver } from './guidance.resolver';
import { GuidanceService } from './guidance.service';
import { ScanGuidanceResolver } from './scan-guidance.resolver';

@Module({ providers: [GuidanceResolver, ScanGuidanceResolver, GuidanceService, PageLimits] })
export class GuidanceModule {}
