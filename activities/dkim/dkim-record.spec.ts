import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analyzeDkimKey, looksLikeDkim, parseDkimRecord, type DkimKeyRecord } from './dkim-record';
import { KNOWN_DKIM_SELECTORS } from './dkim-selectors';
import { parseTagList } from './tag-list';

function rsaKey(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

function ed25519Raw(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  // The SPKI DER of an Ed25519 key is a 12-byte header and the 32-byte key (RFC 8463 wants the 32).
  return publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
}

function record(text: string): DkimKeyRecord {
  const parsed = parseDkimRecord(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.record;
}

describe('parseTagList (RFC 6376 §3.2)', () => {
  it('splits tags, trims whitespace, allows one trailing semicolon', () => {
    expect(parseTagList(' v = DKIM1 ;k=rsa;  p=AB CD ;')).toEqual({
      ok: true,
      tags: [
        { name: 'v', value: 'DKIM1' },
        { name: 'k', value: 'rsa' },
        { name: 'p', value: 'AB CD' },
      ],
    });
    expect(parseTagList('p=')).toEqual({ ok: true, tags: [{ name: 'p', value: '' }] });
  });

  it('rejects duplicates, empty elements, bad names and bare words', () => {
    expect(parseTagList('k=rsa; k=rsa')).toMatchObject({ ok: false, error: /more than once/ });
    expect(parseTagList('v=DKIM1;; p=')).toMatchObject({ ok: false, error: /empty tag/ });
    expect(parseTagList('1x=a')).toMatchObject({ ok: false, error: /bad tag name/ });
    expect(parseTagList('garbage')).toMatchObject({ ok: false, error: /not a tag=value/ });
    expect(parseTagList('n=caf\u00e9')).toMatchObject({ ok: false, error: /not allowed/ });
  });

  it('treats tag names case-sensitively', () => {
    expect(parseTagList('v=1; V=2')).toMatchObject({ ok: true });
  });
});

describe('parseDkimRecord', () => {
  it('reads every key-record tag, with defaults', () => {
    expect(
      parseDkimRecord('v=DKIM1; k=RSA; h=sha1:sha256; s=email; t=y:s; n=note; p=QUJD REVG'),
    ).toEqual({
      ok: true,
      record: {
        version: 'DKIM1',
        keyType: 'rsa',
        hashAlgorithms: ['sha1', 'sha256'],
        serviceTypes: ['email'],
        flags: ['y', 's'],
        notes: 'note',
        publicKey: 'QUJDREVG',
      },
    });
    expect(parseDkimRecord('p=QUJD')).toMatchObject({
      ok: true,
      record: {
        version: null,
        keyType: 'rsa',
        hashAlgorithms: null,
        serviceTypes: null,
        flags: [],
      },
    });
    expect(parseDkimRecord('p=QUJD; s=*')).toMatchObject({ record: { serviceTypes: null } });
  });

  it('accepts an empty p= (revoked key)', () => {
    expect(parseDkimRecord('v=DKIM1; p=')).toMatchObject({ ok: true, record: { publicKey: '' } });
  });

  it('rejects v= out of place or other than DKIM1, unknown k=, no p=, p= not base64', () => {
    expect(parseDkimRecord('k=rsa; v=DKIM1; p=QUJD')).toMatchObject({ error: /first/ });
    expect(parseDkimRecord('v=DKIM2; p=QUJD')).toMatchObject({ error: /version/ });
    expect(parseDkimRecord('v=DKIM1; k=dsa; p=QUJD')).toMatchObject({ error: /key type/ });
    expect(parseDkimRecord('v=DKIM1; k=rsa')).toMatchObject({ error: /no p=/ });
    expect(parseDkimRecord('v=DKIM1; p=not*base64')).toMatchObject({ error: /base64/ });
  });

  it('tells DKIM-looking text from other TXT (a wildcard’s SPF)', () => {
    expect(looksLikeDkim('v=DKIM1; p=')).toBe(true);
    expect(looksLikeDkim('k=rsa; p=QUJD')).toBe(true);
    expect(looksLikeDkim('v=spf1 -all')).toBe(false);
    expect(looksLikeDkim('google-site-verification=abc')).toBe(false);
  });
});

describe('analyzeDkimKey (mailauth decodes, node:crypto measures)', () => {
  it('measures RSA keys', async () => {
    for (const bits of [512, 1024, 2048]) {
      expect(await analyzeDkimKey(record(`v=DKIM1; k=rsa; p=${rsaKey(bits)}`))).toEqual({
        ok: true,
        keyType: 'rsa',
        bits,
      });
    }
  });

  it('recognises a raw 32-byte Ed25519 key (RFC 8463)', async () => {
    expect(await analyzeDkimKey(record(`v=DKIM1; k=ed25519; p=${ed25519Raw()}`))).toEqual({
      ok: true,
      keyType: 'ed25519',
      bits: null,
    });
  });

  it('fails on base64 that is no key, and on a key of another type than k=', async () => {
    expect(await analyzeDkimKey(record('v=DKIM1; p=bm90IGEga2V5'))).toMatchObject({
      ok: false,
      error: /cannot be decoded/,
    });
    expect(await analyzeDkimKey(record(`v=DKIM1; k=ed25519; p=${rsaKey(1024)}`))).toMatchObject({
      ok: false,
    });
  });
});

describe('selector catalogue', () => {
  it('has at least 40 distinct, lowercase selectors, each with its provider', () => {
    const names = KNOWN_DKIM_SELECTORS.map((s) => s.selector);
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(new Set(names).size).toBe(names.length);
    for (const s of KNOWN_DKIM_SELECTORS) {
      expect(s.selector).toMatch(/^[a-z0-9_.-]+$/);
      expect(s.provider.length).toBeGreaterThan(0);
    }
    for (const expected of ['google', 'selector1', 'selector2', 'k1', 's1', 'fm1', 'sig1']) {
      expect(names).toContain(expected);
    }
  });
});
