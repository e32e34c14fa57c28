import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WeakPassword } from './errors';
import {
  generatePassword,
  hashPassword,
  PASSWORD_MIN_LENGTH,
  validateNewPassword,
  verifyPassword,
} from './passwords';

const PASSWORD = 'correct horse battery staple';

// Builds an encoded hash by hand, to test verifyPassword independently of hashPassword.
function encodeByHand(
  plain: string,
  n: number,
  r: number,
  p: number,
  saltBytes = 16,
  keyBytes = 32,
) {
  const salt = randomBytes(saltBytes);
  const key = scryptSync(plain, salt, keyBytes, { N: n, r, p, maxmem: 512 * 1024 * 1024 });
  return `scrypt$${n}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

// Replaces one base64url character with another, keeping the encoding canonical.
function flipFirstChar(s: string): string {
  return (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
}

describe('hashPassword / verifyPassword', () => {
  it('round-trips and uses the documented self-describing format', async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(encoded).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword(PASSWORD, encoded)).resolves.toBe(true);
  });

  it('refuses a wrong password, including near misses', async () => {
    const encoded = await hashPassword(PASSWORD);
    for (const wrong of [
      '',
      'correct horse battery stapl',
      `${PASSWORD} `,
      PASSWORD.toUpperCase(),
    ]) {
      await expect(verifyPassword(wrong, encoded)).resolves.toBe(false);
    }
  });

  it('salts: two hashes of one password differ and both verify', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    await expect(verifyPassword(PASSWORD, a)).resolves.toBe(true);
    await expect(verifyPassword(PASSWORD, b)).resolves.toBe(true);
  });

  it('refuses a tampered salt or hash', async () => {
    const encoded = await hashPassword(PASSWORD);
    const parts = encoded.split('$');
    const badSalt = [...parts.slice(0, 4), flipFirstChar(parts[4]), parts[5]].join('$');
    const badHash = [...parts.slice(0, 5), flipFirstChar(parts[5])].join('$');
    const swapped = [...parts.slice(0, 4), parts[4], (await hashPassword(PASSWORD)).split('$')[5]];
    await expect(verifyPassword(PASSWORD, badSalt)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, badHash)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, swapped.join('$'))).resolves.toBe(false);
  });

  it('honours the parameters written in the encoding', async () => {
    const cheaper = encodeByHand(PASSWORD, 2 ** 14, 8, 1);
    await expect(verifyPassword(PASSWORD, cheaper)).resolves.toBe(true);
    await expect(verifyPassword('other password', cheaper)).resolves.toBe(false);
    // Same key, but the encoding claims another cost: the derived key differs, so no match.
    const relabelled = cheaper.replace('$16384$', '$32768$');
    await expect(verifyPassword(PASSWORD, relabelled)).resolves.toBe(false);
  });

  it('returns false, never throws, for malformed encodings', async () => {
    const good = await hashPassword(PASSWORD);
    const [, , , , salt, hash] = good.split('$');
    const malformed: unknown[] = [
      '',
      'scrypt',
      '$',
      'plaintext-password',
      good.slice(0, -1),
      `${good}$`,
      `${good}$extra`,
      ` ${good}`,
      `${good}\n`,
      good.replace('scrypt$', 'bcrypt$'),
      good.replace('scrypt$', 'SCRYPT$'),
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32768$8$$${salt}$${hash}`,
      `scrypt$32000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1024$8$1$${salt}$${hash}`, // N below the floor
      `scrypt$2097152$8$1$${salt}$${hash}`, // N above the ceiling
      `scrypt$1048576$16$1$${salt}$${hash}`, // 2 GiB of memory
      `scrypt$032768$8$1$${salt}$${hash}`,
      `scrypt$32768.0$8$1$${salt}$${hash}`,
      `scrypt$0x8000$8$1$${salt}$${hash}`,
      `scrypt$-32768$8$1$${salt}$${hash}`,
      `scrypt$32768$0$1$${salt}$${hash}`,
      `scrypt$32768$8$0$${salt}$${hash}`,
      `scrypt$32768$8$99$${salt}$${hash}`,
      `scrypt$32768$8$1$$${hash}`,
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$32768$8$1$${salt.slice(0, 11)}$${hash}`, // 8-byte salt
      `scrypt$32768$8$1$${salt}$${hash.slice(0, 22)}`, // 16-byte key
      `scrypt$32768$8$1$${salt}$${'A'.repeat(88)}`, // 66-byte key
      `scrypt$32768$8$1$${salt}$${hash.slice(0, -1)}+`,
      `scrypt$32768$8$1$${salt.replace(/^./, '/')}$${hash}`,
      `scrypt$32768$8$1$${salt}=$${hash}`,
      `scrypt$32768$8$1$${salt.slice(0, -1)}B$${hash}`, // non-canonical: stray low bits
      `scrypt$32768$8$1$${salt}$${hash}`.padEnd(100_000, 'A'),
      null,
      undefined,
      42,
      { toString: () => good },
    ];
    for (const encoded of malformed) {
      await expect(verifyPassword(PASSWORD, encoded as string), String(encoded)).resolves.toBe(
        false,
      );
    }
    await expect(verifyPassword(null as unknown as string, good)).resolves.toBe(false);
  });

  it('refuses plaintext longer than 1024 characters, even when it is the right one', async () => {
    const long = 'x'.repeat(1025);
    const encoded = encodeByHand(long, 2 ** 14, 8, 1);
    await expect(verifyPassword(long, encoded)).resolves.toBe(false);
    await expect(hashPassword(long)).rejects.toBeInstanceOf(WeakPassword);
    const longest = 'y'.repeat(1024);
    await expect(verifyPassword(longest, await hashPassword(longest))).resolves.toBe(true);
  });

  it('matches the same password whatever its Unicode normalisation form', async () => {
    const composed = 'caf\u00e9 m\u00f6tley crue';
    const decomposed = 'cafe\u0301 mo\u0308tley crue';
    expect(composed).not.toBe(decomposed);
    await expect(verifyPassword(decomposed, await hashPassword(composed))).resolves.toBe(true);
  });
});

describe('generatePassword', () => {
  it('gives 24 random bytes in base64url, acceptable as a new password', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(p, 'base64url')).toHaveLength(24);
      expect(() => validateNewPassword(p)).not.toThrow();
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});

describe('validateNewPassword', () => {
  it('accepts 12 to 1024 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(() => validateNewPassword('a'.repeat(12))).not.toThrow();
    expect(() => validateNewPassword('a'.repeat(1024))).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['11 characters', 'a'.repeat(11)],
    ['1025 characters', 'a'.repeat(1025)],
    ['6 emoji (12 UTF-16 units, 6 characters)', '\u{1F512}'.repeat(6)],
  ])('throws WeakPassword for %s', (_what, plain) => {
    expect(() => validateNewPassword(plain)).toThrow(WeakPassword);
  });

  it('throws WeakPassword, not a TypeError, for a non-string', () => {
    expect(() => validateNewPassword(undefined as unknown as string)).toThrow(WeakPassword);
  });
});
