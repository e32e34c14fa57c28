import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../libs/auth/roles';
import { findProofSubject } from '../../../libs/db/proof.repository';
import { canonicalResult, verifyStoredResult, type LoadedTsa } from '../../../libs/proof';
import { AccessService } from '../auth/access.service';
import { DATA_SOURCE } from '../tokens';
import type { ResultProofModel } from './models/result-proof.model';

export const TRUSTED_TSAS = Symbol('TrustedTsas');

@Injectable()
export class ProofService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TRUSTED_TSAS) private readonly tsas: LoadedTsa[],
    private readonly access: AccessService,
  ) {}

  /** Re-hashes the stored result (scan or probe result) and checks its token. */
  async verify(principal: Principal, id: string): Promise<ResultProofModel> {
    const subject = await findProofSubject(this.dataSource, id);
    this.access.assertCan(principal, 'viewer', subject?.organisationId, 'result', id);
    const [verdict, canonical] = await Promise.all([
      verifyStoredResult(this.dataSource, subject!, this.tsas),
      canonicalResult(this.dataSource, subject!),
    ]);
    if (!verdict || !canonical) throw this.access.notFoundError(principal, 'result', id);
    return {
      resultId: id,
      kind: subject!.kind,
      state: verdict.state,
      digest: verdict.digest,
      failures: verdict.failures,
      genTime: verdict.info?.genTime ?? null,
      tsa: verdict.info?.tsaName ?? null,
      signer: verdict.info?.signer || null,
      serialNumber: verdict.info?.serialNumber ?? null,
      policy: verdict.info?.policy ?? null,
      tokenBase64: verdict.token?.toString('base64') ?? null,
      canonicalDocument: canonical.toString('utf8'),
    };
  }
}
