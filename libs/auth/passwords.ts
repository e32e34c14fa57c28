import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { decodeBase64urlStrict } from './base64url';
import { WeakPassword } from './errors';

export const PASSWORD_MIN_LENGTH = 12;
// Bounds the scrypt input so a megabyte "password" cannot be used to burn CPU.
export const PASSWORD_MAX_LENGTH = 1024;

// scrypt cost: 2^15 * 8 * 128 bytes = 32 MiB and tens of milliseconds per hash (OWASP's floor).
const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// What a stored hash may ask for: room to raise the cost later, never enough to exhaust memory.
const LIMITS = {
  minN: 2 ** 14,
  maxN: 2 ** 20,
  maxR: 16,
  maxP: 16,
  maxMemoryBytes: 256 * 1024 * 1024,
  minSaltBytes: 16,
  maxSaltBytes: 64,
  minKeyBytes: 32,
  maxKeyBytes: 64,
} as const;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function scryptAsync(
  plain: string,
  salt: Buffer,
  keyBytes: number,
  { N, r, p }: ScryptParams,
): Promise<Buffer> {
  // Node refuses when 128*N*r exceeds maxmem (default 32 MiB, exactly our cost), so give headroom.
  const maxmem = 2 * 128 * N * r + 128 * r * p + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyBytes, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

// Unicode normalisation: the same password typed on two systems may arrive in two encodings.
function normalise(plain: string): string {
  return plain.normalize('NFC');
}

/** Hash a password for storage as `scrypt$N$r$p$salt$hash` (base64url salt and hash). */
export async function hashPassword(plain: string): Promise<string> {
  // A password verifyPassword would refuse must never be stored: it could not be used to sign in.
  if (typeof plain !== 'string' || plain.length > PASSWORD_MAX_LENGTH) {
    throw new WeakPassword(`a password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(normalise(plain), salt, KEY_BYTES, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const DECIMAL = /^[1-9][0-9]{0,8}$/;

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

function parseEncoded(encoded: string): ParsedHash | undefined {
  // Longest legitimate value is ~200 characters; refuse to even split anything absurd.
  if (encoded.length > 512) return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, hashText] = parts;
  if (!DECIMAL.test(nText) || !DECIMAL.test(rText) || !DECIMAL.test(pText)) return undefined;
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const powerOfTwo = (n & (n - 1)) === 0;
  if (!powerOfTwo || n < LIMITS.minN || n > LIMITS.maxN) return undefined;
  if (r > LIMITS.maxR || p > LIMITS.maxP) return undefined;
  if (128 * n * r > LIMITS.maxMemoryBytes) return undefined;
  const salt = decodeBase64urlStrict(saltText);
  const hash = decodeBase64urlStrict(hashText);
  if (!salt || salt.length < LIMITS.minSaltBytes || salt.length > LIMITS.maxSaltBytes) {
    return undefined;
  }
  if (!hash || hash.length < LIMITS.minKeyBytes || hash.length > LIMITS.maxKeyBytes) {
    return undefined;
  }
  return { N: n, r, p, salt, hash };
}

/** True when `plain` matches the stored hash; false for anything else, including a corrupt hash. */
export async function verifyPassword(plain: string, encoded: string): Promise<boolean> {
  if (typeof plain !== 'string' || typeof encoded !== 'string') return false;
  if (plain.length > PASSWORD_MAX_LENGTH) return false;
  const parsed = parseEncoded(encoded);
  if (!parsed) return false;
  try {
    const key = await scryptAsync(normalise(plain), parsed.salt, parsed.hash.length, parsed);
    // Same length by construction (the key is derived at the stored length).
    return timingSafeEqual(key, parsed.hash);
  } catch {
    // Fail closed: a verification that could not run is not a match.
    return false;
  }
}

/** A random password for the first administrator: 24 bytes, 32 base64url characters. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Throws WeakPassword unless the password is between 12 and 1024 characters. */
export function validateNewPassword(plain: string): void {
  if (typeof plain !== 'string') throw new WeakPassword('a password must be a string');
  if (plain.length > PASSWORD_MAX_LENGTH) {
    throw new WeakPassword(`a password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  // The minimum counts code points (an emoji is one character to the user, two UTF-16 units).
  if ([...plain].length < PASSWORD_MIN_LENGTH) {
    throw new WeakPassword(`a password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
}
