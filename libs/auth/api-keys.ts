import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeBase64urlStrict } from './base64url';

export const API_KEY_PREFIX = 'pmk_';
const ID_BYTES = 12;
const SECRET_BYTES = 32;
// base64url lengths without padding: 12 bytes -> 16 characters, 32 bytes -> 43 characters.
const ID_CHARS = 16;
const SECRET_CHARS = 43;
const TOKEN_CHARS = API_KEY_PREFIX.length + ID_CHARS + 1 + SECRET_CHARS;

export interface GeneratedApiKey {
  /** Public lookup id, stored in clear and indexed. */
  id: string;
  /** Never stored; only its hash is. */
  secret: string;
  /** What the user is shown, once: `pmk_<id>_<secret>`. */
  token: string;
  /** Hex SHA-256 of the secret, what the database keeps. */
  secretHash: string;
}

// A plain SHA-256 is right here, unlike for passwords: the secret is 256 random bits, so there is
// nothing to brute-force, and a slow hash would only make every API request slow.
function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A new API key; show `token` once and store `id` and `secretHash`. */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(ID_BYTES).toString('base64url');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return {
    id,
    secret,
    token: `${API_KEY_PREFIX}${id}_${secret}`,
    secretHash: hashSecret(secret).toString('hex'),
  };
}

/** Splits `pmk_<id>_<secret>`; null for anything not exactly that shape. Never throws. */
export function parseApiKey(token: string): { id: string; secret: string } | null {
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS) return null;
  if (!token.startsWith(API_KEY_PREFIX)) return null;
  // Split by position, not on '_': the base64url id and secret may themselves contain '_'.
  const idEnd = API_KEY_PREFIX.length + ID_CHARS;
  if (token[idEnd] !== '_') return null;
  const id = token.slice(API_KEY_PREFIX.length, idEnd);
  const secret = token.slice(idEnd + 1);
  const idBytes = decodeBase64urlStrict(id);
  const secretBytes = decodeBase64urlStrict(secret);
  if (idBytes?.length !== ID_BYTES || secretBytes?.length !== SECRET_BYTES) return null;
  return { id, secret };
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Constant-time check of a presented secret against the stored hex SHA-256. */
export function verifyApiKeySecret(secret: string, secretHash: string): boolean {
  if (typeof secret !== 'string' || typeof secretHash !== 'string') return false;
  // A corrupt stored hash must fail closed rather than compare against Buffer.from's leniency.
  if (!HEX_SHA256.test(secretHash.toLowerCase())) return false;
  return timingSafeEqual(hashSecret(secret), Buffer.from(secretHash, 'hex'));
}
