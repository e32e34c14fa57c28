import { Module } from '@nestjs/common';
import { ScansResolver } from './scans.resolver';
import { ScansService } from './scans.service';

@Module({ providers: [ScansResolver, ScansService] })
export class ScansModule {}
