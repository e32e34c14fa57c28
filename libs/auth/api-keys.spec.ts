import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey, verifyApiKeySecret } from './api-keys';

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

describe('generateApiKey', () => {
  it('gives pmk_<16-char id>_<43-char secret> and the hex SHA-256 of the secret', () => {
    const key = generateApiKey();
    expect(key.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(key.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.id, 'base64url')).toHaveLength(12);
    expect(Buffer.from(key.secret, 'base64url')).toHaveLength(32);
    expect(key.token).toBe(`pmk_${key.id}_${key.secret}`);
    expect(key.secretHash).toBe(sha256Hex(key.secret));
    expect(key.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats an id or a secret', () => {
    const keys = Array.from({ length: 500 }, generateApiKey);
    expect(new Set(keys.map((k) => k.id)).size).toBe(500);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(500);
  });
});

describe('parseApiKey', () => {
  it('parses every generated token back to its id and secret', () => {
    // Enough keys that ids and secrets containing '_' and '-' certainly occur.
    for (let i = 0; i < 500; i++) {
      const key = generateApiKey();
      expect(parseApiKey(key.token)).toEqual({ id: key.id, secret: key.secret });
    }
  });

  it('splits by position, so underscores inside the id and secret are fine', () => {
    const id = 'ab_cd_ef_gh-ij_k';
    const secret = `${'_'.repeat(20)}${'-'.repeat(20)}abA`;
    expect(parseApiKey(`pmk_${id}_${secret}`)).toEqual({ id, secret });
  });

  // Fixed values, so no variant below turns valid by chance (a random secret may start with '_').
  const id = Buffer.from('perimeter-id').toString('base64url');
  const secret = Buffer.alloc(32, 0x5a).toString('base64url');
  const token = `pmk_${id}_${secret}`;
  it('accepts the fixed token the variants below are made from', () => {
    expect(parseApiKey(token)).toEqual({ id, secret });
  });
  const swapAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);
  it.each<[string, unknown]>([
    ['empty', ''],
    ['prefix only', 'pmk_'],
    ['no prefix', `${id}_${secret}`],
    ['wrong prefix', `pmx_${id}_${secret}`],
    ['upper-case prefix', `PMK_${id}_${secret}`],
    ['prefix without underscore', `pmk-${id}_${secret}`],
    ['other vendor prefix of same length', `ghp_${id}_${secret}`],
    ['separator replaced', `pmk_${id}-${secret}`],
    ['separator missing', `pmk_${id}${secret}A`],
    ['extra underscore after prefix', `pmk__${id}_${secret}`],
    ['extra underscore before secret', `pmk_${id}__${secret}`],
    ['extra underscore at the end', `${token}_`],
    ['extra underscore replacing a character', `pmk_${id}_${secret.slice(0, -1)}_`],
    ['id one character short', `pmk_${id.slice(1)}_${secret}`],
    ['id one character long', `pmk_A${id}_${secret}`],
    ['secret one character short', `pmk_${id}_${secret.slice(1)}`],
    ['secret one character long', `pmk_${id}_${secret}A`],
    ['token truncated', token.slice(0, -5)],
    ['plus sign (base64, not base64url)', swapAt(token, 30, '+')],
    ['slash', swapAt(token, 30, '/')],
    ['padding', `pmk_${id}_${secret.slice(0, -1)}=`],
    ['dot', swapAt(token, 6, '.')],
    ['space', swapAt(token, 40, ' ')],
    ['non-ASCII letter', swapAt(token, 40, '\u00e9')],
    ['NUL', swapAt(token, 40, '\0')],
    ['leading space', ` ${token}`],
    ['trailing newline', `${token}\n`],
    ['non-canonical secret (stray low bits)', `pmk_${id}_${secret.slice(0, -1)}B`],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'],
    ['huge', `pmk_${'A'.repeat(100_000)}`],
    ['null', null],
    ['undefined', undefined],
    ['number', 42],
    ['object', { toString: () => token }],
  ])('rejects %s', (_what, input) => {
    expect(parseApiKey(input as string)).toBeNull();
  });
});

describe('verifyApiKeySecret', () => {
  it('accepts the right secret and refuses any other', () => {
    const key = generateApiKey();
    const other = generateApiKey();
    expect(verifyApiKeySecret(key.secret, key.secretHash)).toBe(true);
    expect(verifyApiKeySecret(key.secret, key.secretHash.toUpperCase())).toBe(true);
    expect(verifyApiKeySecret(other.secret, key.secretHash)).toBe(false);
    expect(verifyApiKeySecret(key.secret, other.secretHash)).toBe(false);
    expect(verifyApiKeySecret(key.secret.slice(0, -1), key.secretHash)).toBe(false);
    expect(verifyApiKeySecret('', key.secretHash)).toBe(false);
    // The hash of the token is not the hash of the secret.
    expect(verifyApiKeySecret(key.token, key.secretHash)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['63 hex digits', 'a'.repeat(63)],
    ['65 hex digits', 'a'.repeat(65)],
    ['non-hex', 'g'.repeat(64)],
    ['base64 of the hash', Buffer.alloc(32).toString('base64')],
    ['null', null],
  ])('returns false, without throwing, for a stored hash that is %s', (_what, secretHash) => {
    const key = generateApiKey();
    expect(verifyApiKeySecret(key.secret, secretHash as string)).toBe(false);
  });
});
