import { Module } from '@nestjs/common';
import { PageLimits } from '../common/page-limits';
import { ScansResolver } from './scans.resolver';
import { ScansService } from './scans.service';

@Module({ providers: [ScansResolver, ScansService, PageLimits] })
export class ScansModule {}
