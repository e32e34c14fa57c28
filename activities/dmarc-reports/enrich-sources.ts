import type { promises as dns } from 'node:dns';
import type { DmarcSourceEnrichment } from '../../libs/db/dmarc-reports.repository';
import { organisationalDomain } from '../dmarc/organisational-domain';
import type { IpDatabase } from './ip-database';
import type { KnownSender } from './sender-catalogue';

export interface EnrichOptions {
  resolver: dns.Resolver;
  /** base domain → known sender. */
  senders: Map<string, KnownSender>;
  ipDatabase?: IpDatabase;
  extraPublicSuffixes?: readonly string[];
  /** How long an answer (or "no PTR") is reused. */
  ttlSeconds: number;
  /** How long a timeout or server failure is remembered before asking again. */
  errorTtlSeconds: number;
  concurrency?: number;
}

const ANSWERED = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Reverse DNS (through the scanners' resolver), base domain of the PTR name (Public Suffix
 * List), known-sender classification and, when a database is configured, country and ASN.
 */
export async function enrichSources(
  ips: string[],
  options: EnrichOptions,
  progress?: (done: number) => void,
): Promise<DmarcSourceEnrichment[]> {
  const out: DmarcSourceEnrichment[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ips.length) {
      const ip = ips[next++];
      out.push(await enrichOne(ip, options));
      if (out.length % 100 === 0) progress?.(out.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return out;
}

async function enrichOne(ip: string, o: EnrichOptions): Promise<DmarcSourceEnrichment> {
  let ptr: string | null = null;
  let lookupError: string | null = null;
  let ttlSeconds = o.ttlSeconds;
  try {
    const names = await o.resolver.reverse(ip);
    ptr = names[0]?.toLowerCase().replace(/\.$/, '') ?? null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
    lookupError = code;
    if (!ANSWERED.has(code)) ttlSeconds = o.errorTtlSeconds;
  }
  const baseDomain = ptr ? (organisationalDomain(ptr, o.extraPublicSuffixes) ?? null) : null;
  const sender = baseDomain ? o.senders.get(baseDomain) : undefined;
  const info = o.ipDatabase?.lookup(ip);
  return {
    ip,
    ptr,
    baseDomain,
    sender: sender?.name ?? null,
    senderCategory: sender?.category ?? null,
    country: info?.country ?? null,
    asn: info?.asn ?? null,
    asName: info?.asName ?? null,
    lookupError,
    ttlSeconds,
  };
}
