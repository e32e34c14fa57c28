import type { promises as dns } from 'node:dns';
import type { HttpsFetchOptions } from './https-fetch';
import type { TlsScanOptions } from '../tls/tls-evaluation';

export type LookupStatus = 'ok' | 'nodata' | 'nxdomain' | 'unknown';

export interface LookupResult<T> {
  status: LookupStatus;
  records: T[];
  /** Set when status is `unknown`. */
  error?: { code: string; message: string };
}

const DEFINITE: Record<string, LookupStatus> = { ENODATA: 'nodata', ENOTFOUND: 'nxdomain' };

/**
 * One DNS question through the scanners' resolver. A missing record is an answer (`nodata`,
 * `nxdomain`); a timeout, SERVFAIL or refusal is `unknown` — the caller reports it as "could not
 * determine", never as a finding.
 */
export async function lookup<T>(query: () => Promise<T[]>): Promise<LookupResult<T>> {
  try {
    const records = await query();
    return { status: records.length > 0 ? 'ok' : 'nodata', records };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? 'EUNKNOWN';
    const status = DEFINITE[code];
    if (status) return { status, records: [] };
    return { status: 'unknown', records: [], error: { code, message: e.message } };
  }
}

/** TXT records of a name, each joined from its character-strings (with the parts kept). */
export function lookupTxt(
  resolver: dns.Resolver,
  name: string,
): Promise<LookupResult<{ value: string; strings: string[] }>> {
  return lookup(async () =>
    (await resolver.resolveTxt(name)).map((strings) => ({ value: strings.join(''), strings })),
  );
}

/** Everything a posture check needs from its surroundings. */
export interface CheckContext {
  /** The scanners' resolver (configuration, never the OS lookup). */
  resolver: dns.Resolver;
  /** Suffixes treated as public in addition to the Public Suffix List (the lab adds `perimeter.test`). */
  extraPublicSuffixes: string[];
  allowPrivateTargets: boolean;
  /** How HTTPS fetches connect (port override, extra trust anchors): the lab sets it. */
  https?: HttpsFetchOptions;
  /** How the TLS and SMTP STARTTLS scanners connect (ports, timeouts, concurrency, profile). */
  tls?: TlsScanOptions;
}
