import { createPublicKey } from 'node:crypto';
import { getPublicKey } from 'mailauth/lib/tools';
import { parseTagList } from './tag-list';

/** A DKIM key record (RFC 6376 §3.6.1, RFC 8463), its tags read. */
export interface DkimKeyRecord {
  /** v=, when present (it must then be first and 'DKIM1'). */
  version: string | null;
  /** k=, default 'rsa'. */
  keyType: string;
  /** h=: hash algorithms the key may be used with; null means any. */
  hashAlgorithms: string[] | null;
  /** s=: service types; null means any ('*'). */
  serviceTypes: string[] | null;
  /** t=: flags ('y' testing, 's' no subdomains in i=). */
  flags: string[];
  notes: string | null;
  /** p= with whitespace removed; '' means the key is revoked. */
  publicKey: string;
}

export type DkimRecordParse = { ok: true; record: DkimKeyRecord } | { ok: false; error: string };

const KNOWN_KEY_TYPES = ['rsa', 'ed25519'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether a TXT string is meant as a DKIM key record (and not, say, a wildcard's SPF text). */
export function looksLikeDkim(text: string): boolean {
  return /(^|;)\s*(v\s*=\s*DKIM1\b|p\s*=)/i.test(text);
}

/** Parses a key record; fails on tag-list syntax, v=, k= or a missing p=. */
export function parseDkimRecord(text: string): DkimRecordParse {
  const list = parseTagList(text);
  if (!list.ok) return list;
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  const version = tags.get('v') ?? null;
  if (version !== null) {
    if (list.tags[0]!.name !== 'v') return { ok: false, error: 'v= must be the first tag' };
    if (version !== 'DKIM1') return { ok: false, error: `unknown version v=${version}` };
  }
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  if (!KNOWN_KEY_TYPES.includes(keyType)) {
    return { ok: false, error: `unknown key type k=${keyType}: verifiers ignore the key` };
  }
  const p = tags.get('p');
  if (p === undefined) return { ok: false, error: 'no p= tag (public key)' };
  const publicKey = p.replace(/\s+/g, '');
  if (!BASE64.test(publicKey)) return { ok: false, error: 'p= is not base64' };
  const list_ = (name: string): string[] | null => {
    const value = tags.get(name);
    return value === undefined
      ? null
      : value
          .split(':')
          .map((v) => v.trim().toLowerCase())
          .filter((v) => v.length > 0);
  };
  const services = list_('s');
  return {
    ok: true,
    record: {
      version,
      keyType,
      hashAlgorithms: list_('h'),
      serviceTypes: services === null || services.includes('*') ? null : services,
      flags: list_('t') ?? [],
      notes: tags.get('n') ?? null,
      publicKey,
    },
  };
}

export type DkimKeyAnalysis =
  { ok: true; keyType: 'rsa' | 'ed25519'; bits: number | null } | { ok: false; error: string };

const MAILAUTH_ERRORS: Record<string, string> = {
  EINVALIDVAL: 'the public key is not valid base64',
  EINVALIDVER: 'the record version is not DKIM1',
  EINVALIDTYPE: 'the public key cannot be decoded, or is not of the type k= names',
};

/**
 * Decodes the key of a parsed, non-revoked record with mailauth (the library that verifies
 * signatures), so the verdict matches what a verifier sees: type and, for RSA, modulus size.
 */
export async function analyzeDkimKey(record: DkimKeyRecord): Promise<DkimKeyAnalysis> {
  const text = `v=DKIM1; k=${record.keyType}; p=${record.publicKey}`;
  try {
    // Minimum size 1 bit: size is judged here, not refused by the library.
    const key = await getPublicKey('DKIM', 'record', 1, async () => [[text]]);
    const decoded = createPublicKey(key.publicKey);
    const type = decoded.asymmetricKeyType;
    if (type !== 'rsa' && type !== 'ed25519') {
      return { ok: false, error: `unsupported key type ${String(type)}` };
    }
    return { ok: true, keyType: type, bits: decoded.asymmetricKeyDetails?.modulusLength ?? null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return { ok: false, error: MAILAUTH_ERRORS[code] ?? (error as Error).message };
  }
}
