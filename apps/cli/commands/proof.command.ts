import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../libs/config/config';
import { findProofSubject, resultsAwaitingTimestamp } from '../../../libs/db/proof.repository';
import {
  canonicalResult,
  loadTsas,
  timestampResult,
  TsaUnavailable,
  verifyStoredResult,
  type LoadedTsa,
} from '../../../libs/proof';
import { withDatabase } from './with-database';

/** Exit codes: 0 verified / exported, 1 verification failed, 2 usage or unknown result, 3 not yet time-stamped. */
export async function proofVerify(
  ds: DataSource,
  tsas: LoadedTsa[],
  id: string,
  format: 'json' | 'table',
  out: (line: string) => void,
): Promise<number> {
  const subject = await findProofSubject(ds, id);
  const verdict = subject ? await verifyStoredResult(ds, subject, tsas) : null;
  if (!subject || !verdict) {
    out(format === 'json' ? JSON.stringify({ error: 'NOT_FOUND', id }) : `no result with id ${id}`);
    return 2;
  }
  const answer = {
    resultId: id,
    kind: subject.kind,
    state: verdict.state,
    digest: verdict.digest,
    failures: verdict.failures,
    genTime: verdict.info?.genTime.toISOString() ?? null,
    tsa: verdict.info?.tsaName ?? null,
    signer: verdict.info?.signer ?? null,
    serialNumber: verdict.info?.serialNumber ?? null,
  };
  if (format === 'json') {
    out(JSON.stringify(answer, null, 2));
  } else {
    out(`${answer.state}  ${subject.kind} ${id}`);
    out(`  sha256     ${answer.digest}`);
    if (answer.genTime) out(`  time       ${answer.genTime} (TSA ${answer.tsa ?? 'unknown'})`);
    if (answer.signer) out(`  signer     ${answer.signer}`);
    for (const f of answer.failures) out(`  ${f.code}: ${f.message}`);
  }
  return verdict.state === 'VERIFIED' ? 0 : verdict.state === 'FAILED' ? 1 : 3;
}

/**
 * Writes `<id>.tsr` (the token, DER) and `<id>.json` (the canonical bytes that were hashed), so
 * anyone can check them with `openssl ts -verify` and the TSA's root certificate.
 */
export async function proofExport(
  ds: DataSource,
  id: string,
  dir: string,
  out: (line: string) => void,
): Promise<number> {
  const subject = await findProofSubject(ds, id);
  const bytes = subject ? await canonicalResult(ds, subject) : null;
  if (!subject || !bytes) {
    out(`no result with id ${id}`);
    return 2;
  }
  const verdict = await verifyStoredResult(ds, subject, []);
  if (!verdict?.token) {
    out(`result ${id} is not yet time-stamped`);
    return 3;
  }
  const tokenFile = path.join(dir, `${id}.tsr`);
  const dataFile = path.join(dir, `${id}.json`);
  await writeFile(tokenFile, verdict.token);
  await writeFile(dataFile, bytes);
  out(`token  ${tokenFile}`);
  out(`data   ${dataFile}`);
  out(
    `check  openssl ts -verify -in ${tokenFile} -token_in -data ${dataFile} -CAfile <TSA root.pem>`,
  );
  return 0;
}

/**
 * Time-stamps every stored result that has no token yet (e.g. results stored before a TSA with
 * roots was configured). Exit 0 when none is left, 1 when a TSA refused or was unreachable.
 */
export async function proofStampPending(
  ds: DataSource,
  tsas: LoadedTsa[],
  timeoutMs: number,
  out: (line: string) => void,
  limit = 10_000,
): Promise<number> {
  if (tsas.length === 0) {
    out('no TSA with trust roots is configured (PROOF_TSAS or PROOF_TSA_CA_FILES)');
    return 2;
  }
  let stamped = 0;
  for (const subject of await resultsAwaitingTimestamp(ds, limit)) {
    try {
      if ((await timestampResult(ds, subject, tsas, timeoutMs)).stamped) stamped++;
    } catch (err) {
      if (!(err instanceof TsaUnavailable)) throw err;
      out(`stopped after ${stamped} time-stamp(s): ${err.message}`);
      return 1;
    }
  }
  out(`time-stamped ${stamped} result(s)`);
  return 0;
}

/** `perimeter proof verify|export <result-id>` against DATABASE_URL and the configured TSAs. */
export async function proofCommand(
  sub: string | undefined,
  id: string | undefined,
  opts: { format: 'json' | 'table'; out?: string },
  out: (line: string) => void = console.log,
): Promise<number> {
  if (sub === 'stamp-pending') {
    const { proof } = loadConfig();
    return withDatabase(out, async (ds) =>
      proofStampPending(ds, await loadTsas(proof), proof.timeoutMs, out),
    );
  }
  if (!id || (sub !== 'verify' && sub !== 'export')) {
    out(
      'usage: perimeter proof verify|export <result-id> [--format json|table] [--out DIR] | perimeter proof stamp-pending',
    );
    return 2;
  }
  return withDatabase(out, async (ds) => {
    if (sub === 'export') return proofExport(ds, id, opts.out ?? '.', out);
    return proofVerify(ds, await loadTsas(loadConfig().proof), id, opts.format, out);
  });
}
