import { readFile } from 'node:fs/promises';
import { TsaResponseRejected, TsaUnavailable } from './proof.errors';
import {
  buildTimeStampRequest,
  certificatesFromPem,
  checkTimeStampResponse,
  type TokenInfo,
  type TrustedTsa,
} from './tsp';

/** A configured TSA: where to send requests, and which roots its tokens must chain to. */
export interface TsaEndpoint {
  name: string;
  url: string;
  /** PEM files holding the TSA's trust anchors. */
  caFiles: string[];
}

export interface ProofSettings {
  tsas: TsaEndpoint[];
  timeoutMs: number;
}

export interface LoadedTsa extends TrustedTsa {
  url: string;
}

const MAX_REPLY_BYTES = 1024 * 1024;

/** Reads each TSA's roots once (start-up). A TSA without roots cannot be trusted and is left out. */
export async function loadTsas(settings: ProofSettings): Promise<LoadedTsa[]> {
  const loaded: LoadedTsa[] = [];
  for (const tsa of settings.tsas) {
    const roots = [];
    for (const file of tsa.caFiles) {
      const pem = await readFile(file, 'utf8').catch((err: Error) => {
        throw new Error(`TSA "${tsa.name}": cannot read CA file ${file}: ${err.message}`);
      });
      const certs = certificatesFromPem(pem);
      if (certs.length === 0) {
        throw new Error(`TSA "${tsa.name}": no PEM certificate in CA file ${file}`);
      }
      roots.push(...certs);
    }
    if (roots.length > 0) loaded.push({ name: tsa.name, url: tsa.url, roots });
  }
  return loaded;
}

/** Sends one TimeStampReq over HTTP (RFC 3161 section 3.4) and returns the raw reply. */
async function post(url: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new TsaUnavailable(`${url}: ${cause ?? (err as Error).message}`);
  }
  if (!res.ok) throw new TsaUnavailable(`${url}: HTTP ${res.status}`);
  // Read at most MAX_REPLY_BYTES: a hostile or broken TSA cannot make us buffer without end.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) break; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  if (size > MAX_REPLY_BYTES) {
    throw new TsaUnavailable(`${url}: reply larger than ${MAX_REPLY_BYTES} bytes`);
  }
  return Buffer.concat(chunks);
}

/**
 * Asks the configured TSAs in order for a token over `digest`; the first checked token wins.
 * Throws TsaUnavailable when none answered usefully (the caller retries later).
 */
export async function requestTimestamp(
  digest: Buffer,
  tsas: LoadedTsa[],
  timeoutMs: number,
): Promise<{ token: Buffer; info: TokenInfo; tsa: string }> {
  if (tsas.length === 0) throw new TsaUnavailable('no TSA with trust roots is configured');
  const problems: string[] = [];
  for (const tsa of tsas) {
    const { der, nonce } = buildTimeStampRequest(digest);
    try {
      const reply = await post(tsa.url, der, timeoutMs);
      // Checked against the roots of this TSA only: a reply must come from the TSA asked.
      const { token, info } = await checkTimeStampResponse(reply, { digest, nonce, tsas: [tsa] });
      return { token, info, tsa: tsa.name };
    } catch (err) {
      if (!(err instanceof TsaUnavailable || err instanceof TsaResponseRejected)) throw err;
      problems.push(`${tsa.name}: ${err.message}`);
    }
  }
  throw new TsaUnavailable(`no TSA gave a valid time-stamp (${problems.join('; ')})`);
}
