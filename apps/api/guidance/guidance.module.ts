import { Module } from '@nestjs/common';
import { GuidanceResolver } from './guidance.resolver';
import { GuidanceService } from './guidance.service';
import { ScanGuidanceResolver } from './scan-guidance.resolver';

@Module({ providers: [GuidanceResolver, ScanGuidanceResolver, GuidanceService] })
export class GuidanceModule {}
