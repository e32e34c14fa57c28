import type { DataSource } from 'typeorm';
import {
  findResultTimestamp,
  loadProbeResultDocument,
  loadScanResultForProof,
  storeResultTimestamp,
  type ProofSubject,
} from '../db/proof.repository';
import { CANONICAL_VERSION, canonicalBytes, scanResultDocument, sha256 } from './canonical';
import type { ProofFailure } from './proof.errors';
import { requestTimestamp, type LoadedTsa } from './tsa-client';
import { verifyTimeStampToken, type TokenInfo } from './tsp';

/**
 * The bytes a result's time-stamp covers: the canonical (RFC 8785) form of the stored scan result
 * document, or of the probe's standard result exactly as accepted. Null for an unknown result.
 */
export async function canonicalResult(
  ds: DataSource,
  subject: ProofSubject,
): Promise<Buffer | null> {
  if (subject.kind === 'scan-result') {
    const row = await loadScanResultForProof(ds, subject.id);
    return row ? canonicalBytes(scanResultDocument(row)) : null;
  }
  const document = await loadProbeResultDocument(ds, subject.id);
  return document === null ? null : canonicalBytes(document);
}

/** Time-stamps one stored result unless it already is; throws TsaUnavailable to be retried. */
export async function timestampResult(
  ds: DataSource,
  subject: ProofSubject,
  tsas: LoadedTsa[],
  timeoutMs: number,
): Promise<{ stamped: boolean; tsa?: string; genTime?: Date }> {
  if (await findResultTimestamp(ds, subject)) return { stamped: false };
  const bytes = await canonicalResult(ds, subject);
  if (!bytes) return { stamped: false }; // deleted meanwhile: nothing to prove
  const digest = sha256(bytes);
  const { token, info, tsa } = await requestTimestamp(digest, tsas, timeoutMs);
  await storeResultTimestamp(ds, subject, {
    canonicalVersion: CANONICAL_VERSION,
    digest,
    tsaName: tsa,
    token,
    genTime: info.genTime,
    serialNumber: info.serialNumber,
  });
  return { stamped: true, tsa, genTime: info.genTime };
}

export type ProofState = 'VERIFIED' | 'FAILED' | 'NOT_YET_TIMESTAMPED';

export interface ResultVerification {
  subject: ProofSubject;
  state: ProofState;
  /** SHA-256 of the result as stored now, hex. */
  digest: string;
  failures: ProofFailure[];
  token: Buffer | null;
  info: TokenInfo | null;
}

/** Re-hashes the stored result and checks its token against the configured TSAs' roots. */
export async function verifyStoredResult(
  ds: DataSource,
  subject: ProofSubject,
  tsas: LoadedTsa[],
): Promise<ResultVerification | null> {
  const bytes = await canonicalResult(ds, subject);
  if (!bytes) return null;
  const digest = sha256(bytes);
  const stored = await findResultTimestamp(ds, subject);
  if (!stored) {
    return {
      subject,
      state: 'NOT_YET_TIMESTAMPED',
      digest: digest.toString('hex'),
      failures: [],
      token: null,
      info: null,
    };
  }
  const verdict = await verifyTimeStampToken(stored.token, { digest, tsas });
  return {
    subject,
    state: verdict.valid ? 'VERIFIED' : 'FAILED',
    digest: digest.toString('hex'),
    failures: verdict.failures,
    token: stored.token,
    info: verdict.info,
  };
}
