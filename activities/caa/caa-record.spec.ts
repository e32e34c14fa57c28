import { describe, expect, it } from 'vitest';
import { interpretCaa, isValidIodef, parseIssueValue } from './caa-record';
import { namesUpToRegistrable, publicSuffixOf } from './public-suffix';

const rr = (tag: string, value: string, flags = 0) => ({ flags, tag, value });

describe('parseIssueValue (RFC 8659 §4.2)', () => {
  it('reads the issuer and its parameters', () => {
    expect(parseIssueValue('letsencrypt.org')).toEqual({
      issuer: 'letsencrypt.org',
      parameters: {},
      valid: true,
    });
    expect(
      parseIssueValue(
        ' LetsEncrypt.org ; accounturi=https://acme.example/acct/1; validationmethods=dns-01',
      ),
    ).toEqual({
      issuer: 'letsencrypt.org',
      parameters: { accounturi: 'https://acme.example/acct/1', validationmethods: 'dns-01' },
      valid: true,
    });
  });

  it('reads ";" and "" as naming no CA', () => {
    expect(parseIssueValue(';')).toEqual({ issuer: null, parameters: {}, valid: true });
    expect(parseIssueValue('')).toEqual({ issuer: null, parameters: {}, valid: true });
  });

  it('rejects malformed values', () => {
    expect(parseIssueValue('lets encrypt.org').valid).toBe(false);
    expect(parseIssueValue('https://letsencrypt.org').valid).toBe(false);
    expect(parseIssueValue('letsencrypt.org; nokey').valid).toBe(false);
    expect(parseIssueValue('-ca.example').valid).toBe(false);
  });
});

describe('isValidIodef', () => {
  it('accepts mailto:, http: and https: URLs only', () => {
    expect(isValidIodef('mailto:security@example.com')).toBe(true);
    expect(isValidIodef('https://example.com/caa')).toBe(true);
    expect(isValidIodef('http://example.com/caa')).toBe(true);
    expect(isValidIodef('security@example.com')).toBe(false);
    expect(isValidIodef('mailto:nobody')).toBe(false);
    expect(isValidIodef('ftp://example.com/')).toBe(false);
  });
});

describe('interpretCaa', () => {
  it('issue applies to wildcards unless issuewild is present', () => {
    expect(interpretCaa([rr('issue', 'a.example'), rr('issue', 'b.example')])).toMatchObject({
      issuers: ['a.example', 'b.example'],
      wildcardIssuers: ['a.example', 'b.example'],
      issueRestricted: true,
      wildcardRestricted: true,
    });
    expect(interpretCaa([rr('issue', 'a.example'), rr('issuewild', ';')])).toMatchObject({
      issuers: ['a.example'],
      wildcardIssuers: [],
    });
    expect(interpretCaa([rr('issuewild', 'w.example')])).toMatchObject({
      issuers: [],
      wildcardIssuers: ['w.example'],
      issueRestricted: false,
      wildcardRestricted: true,
    });
  });

  it('deny-all, iodef, unknown and critical-unknown tags, malformed values', () => {
    const p = interpretCaa([
      rr('issue', ';'),
      rr('iodef', 'mailto:sec@example.com'),
      rr('iodef', 'sec@example.com'),
      rr('isue', 'typo.example'),
      rr('tbs', 'x', 128),
      rr('issuemail', 'mail-ca.example', 128),
      rr('issue', 'bad value'),
    ]);
    expect(p.issuers).toEqual([]);
    expect(p.iodef).toEqual(['mailto:sec@example.com', 'sec@example.com']);
    expect(p.invalidIodef).toEqual(['sec@example.com']);
    expect(p.unknownTags).toEqual([rr('isue', 'typo.example')]);
    expect(p.criticalUnknown).toEqual([rr('tbs', 'x', 128)]); // issuemail is known
    expect(p.invalidIssueValues).toEqual([rr('issue', 'bad value')]);
  });
});

describe('public suffixes and the names to climb', () => {
  it('combines the Public Suffix List with extra suffixes', () => {
    expect(publicSuffixOf('www.example.co.uk', [])).toBe('co.uk');
    expect(publicSuffixOf('a.b.github.io', [])).toBe('github.io');
    expect(publicSuffixOf('x.caa-good.perimeter.test', ['perimeter.test'])).toBe('perimeter.test');
  });

  it('lists the name and its ancestors down to the registrable domain', () => {
    expect(namesUpToRegistrable('a.b.example.co.uk', [])).toEqual([
      'a.b.example.co.uk',
      'b.example.co.uk',
      'example.co.uk',
    ]);
    expect(namesUpToRegistrable('shop.caa-inherited.perimeter.test', ['perimeter.test'])).toEqual([
      'shop.caa-inherited.perimeter.test',
      'caa-inherited.perimeter.test',
    ]);
    expect(namesUpToRegistrable('co.uk', [])).toEqual([]);
  });
});
