import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The canonical form of a stored result is its RFC 8785 JSON Canonicalization Scheme (JCS)
 * serialisation, UTF-8 encoded: object keys sorted by UTF-16 code units, no whitespace, numbers
 * in their shortest round-trip form, strings minimally escaped. The same document always gives the
 * same bytes, whichever order its keys were written in, so anyone can re-hash it later.
 */
export function canonicalBytes(document: unknown): Buffer {
  const text = canonicalize(document);
  if (text === undefined) throw new TypeError('nothing to canonicalise');
  return Buffer.from(text, 'utf8');
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Version of the documents below; bumped if their fields ever change. */
export const CANONICAL_VERSION = 1;

/** What is hashed for a scan result: every stored field that says what was found, and when. */
export interface ScanResultDocument {
  v: typeof CANONICAL_VERSION;
  type: 'perimeter.scan-result';
  id: string;
  scanId: string;
  target: string;
  scanner: string;
  status: string;
  data: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string;
}

export function scanResultDocument(row: {
  id: string;
  scanId: string;
  target: string;
  scanner: string;
  status: string;
  data: unknown;
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}): ScanResultDocument {
  return {
    v: CANONICAL_VERSION,
    type: 'perimeter.scan-result',
    id: row.id,
    scanId: row.scanId,
    target: row.target,
    scanner: row.scanner,
    status: row.status,
    data: row.data ?? null,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt.toISOString(),
  };
}
