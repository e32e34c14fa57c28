import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../libs/auth/roles';
import { findProbeResult } from '../../../libs/db/probes.repository';
import { findProofSubject, type ProofSubject } from '../../../libs/db/proof.repository';
import { canonicalResult, verifyStoredResult, type LoadedTsa } from '../../../libs/proof';
import { AccessService } from '../auth/access.service';
import { probeResultModel } from '../probes/probes.service';
import { DATA_SOURCE } from '../tokens';
import type { ResultEventModel } from './models/result-event.model';
import type { ResultProofModel } from './models/result-proof.model';
import { ResultEventsListener } from './result-events.listener';

export const TRUSTED_TSAS = Symbol('TrustedTsas');

@Injectable()
export class ProofService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TRUSTED_TSAS) private readonly tsas: LoadedTsa[],
    private readonly access: AccessService,
    private readonly listener: ResultEventsListener,
  ) {}

  /** Re-hashes the stored result (scan or probe result) and checks its token. */
  async verify(principal: Principal, id: string): Promise<ResultProofModel> {
    const subject = await findProofSubject(this.dataSource, id);
    this.access.assertCan(principal, 'viewer', subject?.organisationId, 'result', id);
    const proof = await this.proofOf(subject!);
    if (!proof) throw this.access.notFoundError(principal, 'result', id);
    return proof;
  }

  private async proofOf(subject: ProofSubject): Promise<ResultProofModel | null> {
    const [verdict, canonical] = await Promise.all([
      verifyStoredResult(this.dataSource, subject, this.tsas),
      canonicalResult(this.dataSource, subject),
    ]);
    if (!verdict || !canonical) return null;
    return {
      resultId: subject.id,
      kind: subject.kind,
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

  /** New probe results and new tokens of one organisation, as they happen. */
  async *published(organisationId: string): AsyncGenerator<ResultEventModel> {
    for await (const event of this.listener.watch(organisationId)) {
      const subject = { kind: event.resultKind, id: event.resultId };
      const probeRow =
        event.resultKind === 'probe-result'
          ? await findProbeResult(this.dataSource, event.resultId)
          : null;
      yield {
        type: event.type,
        resultId: event.resultId,
        resultKind: event.resultKind,
        probeResult: probeRow ? probeResultModel(probeRow) : null,
        proof: event.type === 'timestamped' ? await this.proofOf(subject) : null,
      };
    }
  }
}
