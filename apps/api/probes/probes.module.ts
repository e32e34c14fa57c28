import { Module } from '@nestjs/common';
import { ProbeResultsController } from './probe-results.controller';
import { ProbesResolver } from './probes.resolver';
import { ProbesService } from './probes.service';

@Module({
  controllers: [ProbeResultsController],
  providers: [ProbesResolver, ProbesService],
  exports: [ProbesService],
})
export class ProbesModule {}
