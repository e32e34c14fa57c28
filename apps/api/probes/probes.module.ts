import { Module } from '@nestjs/common';
import { ProbesResolver } from './probes.resolver';
import { ProbesService } from './probes.service';

@Module({ providers: [ProbesResolver, ProbesService], exports: [ProbesService] })
export class ProbesModule {}
