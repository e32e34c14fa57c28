import { Module } from '@nestjs/common';
import type { PerimeterConfig } from '../../../libs/config/config';
import { loadTsas } from '../../../libs/proof';
import { CONFIG } from '../tokens';
import { ProofResolver } from './proof.resolver';
import { ProofService, TRUSTED_TSAS } from './proof.service';
import { ResultEventsListener } from './result-events.listener';
import {
  ProbeResultTimestampResolver,
  ScanResultTimestampResolver,
} from './result-timestamp.resolver';

@Module({
  providers: [
    ProofResolver,
    ProofService,
    ResultEventsListener,
    ScanResultTimestampResolver,
    ProbeResultTimestampResolver,
    // The TSAs' roots, read once at start-up.
    {
      provide: TRUSTED_TSAS,
      inject: [CONFIG],
      useFactory: (c: PerimeterConfig) => loadTsas(c.proof),
    },
  ],
  exports: [ProofService, TRUSTED_TSAS],
})
export class ProofModule {}
