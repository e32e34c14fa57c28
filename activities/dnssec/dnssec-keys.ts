import { createHash } from 'node:crypto';

/** DNSKEY RDATA fields as they travel (RFC 4034 §2.1); `key` is the raw public key. */
export interface DnskeyRdata {
  flags: number;
  protocol?: number;
  algorithm: number;
  key: Buffer;
}

/** DNSSEC algorithm numbers (IANA registry) and the RFC 8624 §3.1 view on signing with them. */
export const DNSSEC_ALGORITHMS: Record<number, { name: string; deprecated: boolean }> = {
  1: { name: 'RSAMD5', deprecated: true },
  3: { name: 'DSA', deprecated: true },
  5: { name: 'RSASHA1', deprecated: true },
  6: { name: 'DSA-NSEC3-SHA1', deprecated: true },
  7: { name: 'RSASHA1-NSEC3-SHA1', deprecated: true },
  8: { name: 'RSASHA256', deprecated: false },
  10: { name: 'RSASHA512', deprecated: false },
  12: { name: 'ECC-GOST', deprecated: true },
  13: { name: 'ECDSAP256SHA256', deprecated: false },
  14: { name: 'ECDSAP384SHA384', deprecated: false },
  15: { name: 'ED25519', deprecated: false },
  16: { name: 'ED448', deprecated: false },
};

/** DS digest types (IANA registry) and the RFC 8624 §3.3 view on creating DS with them. */
export const DS_DIGEST_TYPES: Record<number, { name: string; hash?: string; deprecated: boolean }> =
  {
    1: { name: 'SHA-1', hash: 'sha1', deprecated: true },
    2: { name: 'SHA-256', hash: 'sha256', deprecated: false },
    3: { name: 'GOST R 34.11-94', deprecated: true },
    4: { name: 'SHA-384', hash: 'sha384', deprecated: false },
  };

/** DNSKEY flag bits (RFC 4034 §2.1.1). */
export const DNSKEY_ZONE_KEY = 0x0100;
export const DNSKEY_SECURE_ENTRY_POINT = 0x0001;

export function dnskeyRdata(key: DnskeyRdata): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(key.flags, 0);
  head.writeUInt8(key.protocol ?? 3, 2);
  head.writeUInt8(key.algorithm, 3);
  return Buffer.concat([head, key.key]);
}

/** The key tag a DS or RRSIG uses to point at a DNSKEY (RFC 4034 Appendix B). */
export function keyTag(key: DnskeyRdata): number {
  const rdata = dnskeyRdata(key);
  if (key.algorithm === 1) {
    // RSA/MD5 (Appendix B.1): the tag is taken from the modulus instead.
    return rdata.length >= 4 ? rdata.readUInt16BE(rdata.length - 3) : 0;
  }
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** A domain name in canonical wire form (RFC 4034 §6.2): lowercase, length-prefixed labels. */
export function canonicalNameWire(name: string): Buffer {
  const labels = name
    .toLowerCase()
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0);
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, 'utf8');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/**
 * The DS digest of `key` owned by `owner` (RFC 4034 §5.1.4), or undefined when the digest type
 * has no hash Node can compute (GOST, unassigned).
 */
export function dsDigest(owner: string, key: DnskeyRdata, digestType: number): Buffer | undefined {
  const hash = DS_DIGEST_TYPES[digestType]?.hash;
  if (hash === undefined) return undefined;
  return createHash(hash)
    .update(Buffer.concat([canonicalNameWire(owner), dnskeyRdata(key)]))
    .digest();
}

export interface DsRdata {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: Buffer;
}

/**
 * Whether a DS record points at one of the keys: 'match', 'no-match', or 'unverifiable' when its
 * digest type cannot be computed here.
 */
export function matchDs(
  owner: string,
  ds: DsRdata,
  keys: DnskeyRdata[],
): 'match' | 'no-match' | 'unverifiable' {
  if (DS_DIGEST_TYPES[ds.digestType]?.hash === undefined) return 'unverifiable';
  for (const key of keys) {
    if (key.algorithm !== ds.algorithm || keyTag(key) !== ds.keyTag) continue;
    const digest = dsDigest(owner, key, ds.digestType);
    if (digest !== undefined && digest.equals(ds.digest)) return 'match';
  }
  return 'no-match';
}
