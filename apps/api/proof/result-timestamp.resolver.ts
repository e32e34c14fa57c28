import { Inject } from '@nestjs/common';
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { DataSource } from 'typeorm';
import { findResultTimestamp, type ProofSubject } from '../../../libs/db/proof.repository';
import { Authenticated, OnField } from '../auth/authorize.decorator';
import { ProbeResultModel } from '../probes/models/probe-result.model';
import { ScanResultModel } from '../scans/models/scan-result.model';
import { DATA_SOURCE } from '../tokens';
import { ResultTimestampModel } from './models/result-timestamp.model';

async function timestampOf(ds: DataSource, subject: ProofSubject): Promise<ResultTimestampModel> {
  const row = await findResultTimestamp(ds, subject);
  return row
    ? { state: 'TIMESTAMPED', genTime: row.genTime, tsa: row.tsaName }
    : { state: 'NOT_YET_TIMESTAMPED', genTime: null, tsa: null };
}

const DESCRIPTION = 'Whether the result is time-stamped yet (`verifyResult` checks the token).';

@Resolver(() => ScanResultModel)
export class ScanResultTimestampResolver {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  // A scan result is reachable only through `scan(id)`, which has checked its organisation.
  @Authenticated()
  @ResolveField(() => ResultTimestampModel, { description: DESCRIPTION })
  timestamp(@Parent() result: ScanResultModel) {
    return timestampOf(this.dataSource, { kind: 'scan-result', id: result.id });
  }
}

@Resolver(() => ProbeResultModel)
export class ProbeResultTimestampResolver {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @OnField('viewer', (r: ProbeResultModel) => r.organisationId)
  @ResolveField(() => ResultTimestampModel, { description: DESCRIPTION })
  timestamp(@Parent() result: ProbeResultModel) {
    return timestampOf(this.dataSource, { kind: 'probe-result', id: result.id });
  }
}
