import { describe, expect, it } from 'vitest';
import {
  hasMisplacedVersion,
  isSpfRecord,
  looksLikeDmarcRecord,
  parseDmarcRecord,
  parseDmarcUri,
  type DmarcProblemCode,
  type DmarcRecordProblem,
} from './dmarc-record';

const codes = (record: string) => parseDmarcRecord(record).problems.map((p) => p.code);
const problem = (record: string, code: DmarcProblemCode) =>
  parseDmarcRecord(record).problems.find((p) => p.code === code);

describe('parseDmarcRecord: a valid record', () => {
  it('applies every default to a minimal record', () => {
    const sut = parseDmarcRecord('v=DMARC1; p=reject');
    expect(sut.isDmarc).toBe(true);
    expect(sut.policyState).toBe('valid');
    expect(sut.problems).toEqual([]);
    expect(sut.effective).toEqual({
      p: 'reject',
      sp: 'reject',
      np: 'reject',
      psd: 'u',
      t: 'n',
      adkim: 'r',
      aspf: 'r',
      fo: ['0'],
      rf: ['afrf'],
      ri: 86400,
      pct: 100,
      rua: [],
      ruf: [],
    });
    expect(sut.validTags).toEqual(['v', 'p']);
  });

  it('reads every tag', () => {
    const sut = parseDmarcRecord(
      'v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y; adkim=s; aspf=s; ' +
        'rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=d:s; pct=25; rf=afrf; ri=3600',
    );
    expect(sut.effective).toMatchObject({
      p: 'quarantine',
      sp: 'reject',
      np: 'none',
      psd: 'n',
      t: 'y',
      adkim: 's',
      aspf: 's',
      fo: ['d', 's'],
      rf: ['afrf'],
      ri: 3600,
      pct: 25,
    });
    expect(sut.effective.rua.map((u) => u.address)).toEqual(['agg@example.com']);
    expect(sut.effective.ruf.map((u) => u.address)).toEqual(['fail@example.com']);
    expect(sut.tags.map((t) => t.name)).toEqual([
      'v',
      'p',
      'sp',
      'np',
      'psd',
      't',
      'adkim',
      'aspf',
      'rua',
      'ruf',
      'fo',
      'pct',
      'rf',
      'ri',
    ]);
    // Only the removed tags are worth a remark.
    expect(codes(sut.record).sort()).toEqual(['removed-tag', 'removed-tag', 'removed-tag']);
  });

  it('defaults sp to p, and np to sp', () => {
    expect(parseDmarcRecord('v=DMARC1; p=reject; sp=quarantine').effective).toMatchObject({
      p: 'reject',
      sp: 'quarantine',
      np: 'quarantine',
    });
    expect(parseDmarcRecord('v=DMARC1; p=none; np=reject').effective).toMatchObject({
      p: 'none',
      sp: 'none',
      np: 'reject',
    });
  });

  it('reads values case-insensitively (ABNF strings), but not the version', () => {
    const sut = parseDmarcRecord('v=DMARC1; p=Reject; adkim=S; t=Y');
    expect(sut.effective).toMatchObject({ p: 'reject', adkim: 's', t: 'y' });
    expect(sut.problems).toEqual([]);
  });

  it('accepts whitespace around "=" and ";", and a trailing ";"', () => {
    const sut = parseDmarcRecord('v = DMARC1 ;p= reject ;  rua =  mailto:a@example.com ;  ');
    expect(sut.problems).toEqual([]);
    expect(sut.effective.p).toBe('reject');
    expect(sut.effective.rua[0]?.address).toBe('a@example.com');
  });

  it('keeps the tags as written, in order', () => {
    expect(parseDmarcRecord('v=DMARC1; p=reject; foo=Bar').tags).toEqual([
      { name: 'v', value: 'DMARC1' },
      { name: 'p', value: 'reject' },
      { name: 'foo', value: 'Bar' },
    ]);
  });
});

describe('parseDmarcRecord: syntax', () => {
  it('notes leading whitespace, an empty tag and capitalised tag names (lenient)', () => {
    expect(codes(' v=DMARC1; p=reject')).toEqual(['syntax-lenient']);
    expect(codes('v=DMARC1;; p=reject')).toEqual(['syntax-lenient']);
    const capitals = parseDmarcRecord('v=DMARC1; P=reject');
    expect(capitals.problems.map((p) => p.code)).toEqual(['syntax-lenient']);
    expect(capitals.effective.p).toBe('reject');
  });

  it('reports a part that is not tag=value', () => {
    const sut = parseDmarcRecord('v=DMARC1; p=reject; hello');
    expect(sut.problems).toEqual([
      expect.objectContaining({ code: 'syntax-error', value: 'hello' }),
    ]);
    expect(sut.effective.p).toBe('reject');
  });

  it('reports a tag name that is not letters only, or missing', () => {
    expect(problem('v=DMARC1; p=reject; r-ua=x', 'syntax-error')?.message).toMatch(
      /"r-ua" is not a valid tag name/,
    );
    expect(problem('v=DMARC1; p=reject; =x', 'syntax-error')?.message).toMatch(/no tag name/);
  });

  it('never throws, whatever the input', () => {
    const inputs = ['', ';', '=', '==;==', 'v=', 'v', '\u0000', 'v=DMARC1;'.repeat(200), '😀=😀'];
    let seed = 7;
    const alphabet = 'v=DMARC1;pqrsu,:!@mailto. \t"\\%';
    for (let i = 0; i < 300; i++) {
      let s = '';
      for (let j = 0; j < 40; j++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        s += alphabet[seed % alphabet.length];
      }
      inputs.push(s);
    }
    for (const input of inputs) expect(() => parseDmarcRecord(input)).not.toThrow();
  });
});

describe('parseDmarcRecord: version', () => {
  it('requires v=DMARC1 first', () => {
    const sut = parseDmarcRecord('p=reject; v=DMARC1');
    expect(sut.isDmarc).toBe(false);
    expect(sut.policyState).toBe('ignored');
    expect(codes(sut.record)).toEqual(['version-not-first']);
  });

  it('reports a missing version', () => {
    const sut = parseDmarcRecord('p=reject; rua=mailto:a@example.com');
    expect(sut.isDmarc).toBe(false);
    expect(codes(sut.record)).toEqual(['invalid-version']);
  });

  it('reports another version', () => {
    expect(parseDmarcRecord('v=DMARC2; p=reject').isDmarc).toBe(false);
    expect(problem('v=DMARC2; p=reject', 'invalid-version')?.value).toBe('DMARC2');
  });

  it('explains a missing ";" after the version', () => {
    for (const record of ['v=DMARC1 p=reject', 'v=DMARC1, p=reject']) {
      const sut = parseDmarcRecord(record);
      expect(sut.isDmarc).toBe(false);
      expect(problem(record, 'invalid-version')?.message).toMatch(/separated by ";"/);
    }
  });

  it('warns about the wrong case, still reading the record', () => {
    const sut = parseDmarcRecord('v=dmarc1; p=reject');
    expect(sut.isDmarc).toBe(true);
    expect(sut.effective.p).toBe('reject');
    expect(codes(sut.record)).toEqual(['version-case']);
  });
});

describe('parseDmarcRecord: tags', () => {
  it('reports a duplicate tag and keeps the first value', () => {
    const sut = parseDmarcRecord('v=DMARC1; p=reject; p=none');
    expect(sut.problems).toEqual([
      expect.objectContaining({ code: 'duplicate-tag', tag: 'p', value: 'none' }),
    ]);
    expect(sut.effective.p).toBe('reject');
    expect(sut.tags).toHaveLength(3);
  });

  it('reports an unknown tag, with a hint when it is one letter off a real one', () => {
    expect(problem('v=DMARC1; p=reject; foo=bar', 'unknown-tag')).toMatchObject({
      tag: 'foo',
      value: 'bar',
    });
    expect(problem('v=DMARC1; p=reject; rue=mailto:a@example.com', 'unknown-tag')?.message).toMatch(
      /did you mean "rua"/,
    );
    expect(problem('v=DMARC1; p=reject; zzz=1', 'unknown-tag')?.message).not.toMatch(/mean/);
  });

  it('flags pct, rf and ri as removed by RFC 9989, still reading their values', () => {
    const sut = parseDmarcRecord('v=DMARC1; p=reject; pct=50; rf=afrf; ri=3600');
    expect(sut.problems.filter((p) => p.code === 'removed-tag').map((p) => p.tag)).toEqual([
      'pct',
      'rf',
      'ri',
    ]);
    expect(sut.effective).toMatchObject({ pct: 50, rf: ['afrf'], ri: 3600 });
  });

  it.each<[string, string, DmarcProblemCode, Record<string, unknown>]>([
    ['p', 'p=rejectt', 'invalid-policy-value', {}],
    ['p (empty)', 'p=', 'invalid-policy-value', {}],
    ['sp', 'p=reject; sp=maybe', 'invalid-policy-value', {}],
    ['np', 'p=reject; np=block', 'invalid-policy-value', {}],
    ['psd', 'p=reject; psd=q', 'invalid-value', { psd: 'u' }],
    ['t', 'p=reject; t=maybe', 'invalid-value', { t: 'n' }],
    ['adkim', 'p=reject; adkim=x', 'invalid-value', { adkim: 'r' }],
    ['aspf', 'p=reject; aspf=strict', 'invalid-value', { aspf: 'r' }],
    ['fo', 'p=reject; fo=2', 'invalid-value', { fo: ['0'] }],
    ['fo (one bad option)', 'p=reject; fo=1:x', 'invalid-value', { fo: ['0'] }],
    ['rf', 'p=reject; rf=iodef', 'invalid-value', { rf: ['afrf'] }],
    ['ri (not a number)', 'p=reject; ri=daily', 'invalid-value', { ri: 86400 }],
    ['ri (over 32 bits)', 'p=reject; ri=4294967296', 'invalid-value', { ri: 86400 }],
    ['pct (over 100)', 'p=reject; pct=150', 'invalid-value', { pct: 100 }],
    ['pct (negative)', 'p=reject; pct=-1', 'invalid-value', { pct: 100 }],
    ['pct (fraction)', 'p=reject; pct=50.5', 'invalid-value', { pct: 100 }],
  ])(
    'reports an invalid %s, naming tag and value, and uses the default',
    (_, tags, code, defaults) => {
      const sut = parseDmarcRecord(`v=DMARC1; ${tags}`);
      const found = sut.problems.find((p) => p.code === code);
      const [tag, value] = tags.split('; ').at(-1)!.split('=') as [string, string];
      expect(found).toMatchObject({ tag, value });
      expect(found!.message).toContain(`${tag}=${value}`);
      expect(sut.effective).toMatchObject(defaults);
      expect(sut.validTags).not.toContain(tag);
    },
  );

  it('accepts fo options in any combination, separated by ":"', () => {
    expect(parseDmarcRecord('v=DMARC1; p=none; fo=0:1:d:s').effective.fo).toEqual([
      '0',
      '1',
      'd',
      's',
    ]);
    expect(parseDmarcRecord('v=DMARC1; p=none; fo=1').problems).toEqual([]);
  });

  it('accepts pct=0 and pct=100', () => {
    expect(parseDmarcRecord('v=DMARC1; p=reject; pct=0').effective.pct).toBe(0);
    expect(parseDmarcRecord('v=DMARC1; p=reject; pct=100').effective.pct).toBe(100);
  });
});

describe('parseDmarcRecord: a record without a usable policy', () => {
  it('treats a missing p as none when rua has a valid URI (RFC 9989)', () => {
    const sut = parseDmarcRecord('v=DMARC1; rua=mailto:a@example.com');
    expect(codes(sut.record)).toEqual(['p-missing']);
    expect(sut.policyState).toBe('treated-as-none');
    expect(sut.effective).toMatchObject({ p: 'none', sp: 'none', np: 'none' });
  });

  it('ignores a record without p and without a valid rua', () => {
    const sut = parseDmarcRecord('v=DMARC1; adkim=s');
    expect(sut.policyState).toBe('ignored');
    expect(sut.effective.p).toBeUndefined();
    expect(parseDmarcRecord('v=DMARC1; rua=a@example.com').policyState).toBe('ignored');
  });

  it('treats an invalid sp or np as invalidating the policy (RFC 9989)', () => {
    expect(
      parseDmarcRecord('v=DMARC1; p=reject; sp=maybe; rua=mailto:a@example.com').policyState,
    ).toBe('treated-as-none');
    expect(parseDmarcRecord('v=DMARC1; p=reject; np=maybe').policyState).toBe('ignored');
  });
});

describe('parseDmarcRecord: rua and ruf', () => {
  it('parses a list, with whitespace around commas', () => {
    const sut = parseDmarcRecord(
      'v=DMARC1; p=reject; rua=mailto:a@example.com , mailto:b@Reports.Example.NET',
    );
    expect(sut.effective.rua).toEqual([
      {
        raw: 'mailto:a@example.com',
        uri: 'mailto:a@example.com',
        scheme: 'mailto',
        address: 'a@example.com',
        domain: 'example.com',
        valid: true,
        usable: true,
      },
      expect.objectContaining({ address: 'b@reports.example.net', domain: 'reports.example.net' }),
    ]);
    expect(sut.problems).toEqual([]);
  });

  it('warns about more than two destinations per tag', () => {
    const rua = 'mailto:a@example.com,mailto:b@example.com,mailto:c@example.com';
    expect(problem(`v=DMARC1; p=reject; rua=${rua}`, 'too-many-destinations')).toMatchObject({
      tag: 'rua',
    });
    expect(codes(`v=DMARC1; p=reject; ruf=${rua}`)).toEqual(['too-many-destinations']);
    expect(codes('v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com')).toEqual([]);
  });

  it.each<[string, number]>([
    ['10', 10],
    ['10k', 10 * 1024],
    ['10m', 10 * 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['1t', 1024 ** 4],
    ['1K', 1024],
  ])('reads the RFC 7489 size limit !%s, and notes RFC 9989 dropped it', (size, bytes) => {
    const problems: DmarcRecordProblem[] = [];
    const sut = parseDmarcUri('rua', `mailto:a@example.com!${size}`, problems);
    expect(sut).toMatchObject({
      uri: 'mailto:a@example.com',
      address: 'a@example.com',
      maxSize: { raw: size, bytes },
      usable: true,
    });
    expect(problems.map((p) => p.code)).toEqual(['uri-size-limit']);
  });

  it.each([
    ['a size limit with a bad unit', 'mailto:a@example.com!10x', /size limit "!10x"/],
    ['an empty size limit', 'mailto:a@example.com!', /size limit "!"/],
    ['a missing scheme', 'a@example.com', /write "mailto:a@example.com"/],
    ['no scheme and no address', 'example.com', /not a URI/],
    ['no mailbox', 'mailto:example.com', /not a mailbox/],
    ['an empty local part', 'mailto:@example.com', /not a mailbox/],
    ['an invalid domain', 'mailto:a@-bad-.example', /invalid domain/],
    ['a single-label domain', 'mailto:a@localhost', /invalid domain/],
    ['bad percent-encoding', 'mailto:a%zz@example.com', /percent-encoding/],
    ['an encoded second address', 'mailto:a@example.com%2Cb@example.com', /local part/],
  ])('reports %s as invalid', (_, raw, message) => {
    const problems: DmarcRecordProblem[] = [];
    const sut = parseDmarcUri('rua', raw, problems);
    expect(sut).toMatchObject({ valid: false, usable: false });
    expect(problems).toEqual([
      expect.objectContaining({ code: 'invalid-uri', tag: 'rua', value: raw }),
    ]);
    expect(problems[0]!.message).toMatch(message);
  });

  it('reports an empty list entry', () => {
    expect(codes('v=DMARC1; p=reject; rua=mailto:a@example.com,')).toEqual(['invalid-uri']);
  });

  it('accepts a non-mailto URI as valid but not usable, with a warning', () => {
    const problems: DmarcRecordProblem[] = [];
    expect(parseDmarcUri('rua', 'https://example.com/dmarc', problems)).toMatchObject({
      scheme: 'https',
      valid: true,
      usable: false,
    });
    expect(problems.map((p) => p.code)).toEqual(['non-mailto-uri']);
  });

  it('decodes percent-encoding and converts an IDN domain to A-labels', () => {
    expect(parseDmarcUri('ruf', 'mailto:d%6Darc@b%C3%BCcher.example')).toMatchObject({
      address: 'dmarc@xn--bcher-kva.example',
      domain: 'xn--bcher-kva.example',
    });
  });

  it('ignores mailto header fields', () => {
    expect(parseDmarcUri('rua', 'mailto:a@example.com?subject=dmarc').address).toBe(
      'a@example.com',
    );
  });

  it('counts an https-only rua as a valid URI for the p=none fallback', () => {
    expect(parseDmarcRecord('v=DMARC1; rua=https://example.com/r').policyState).toBe(
      'treated-as-none',
    );
  });
});

describe('record classification', () => {
  it('recognises DMARC records as receivers do (version first)', () => {
    expect(looksLikeDmarcRecord('v=DMARC1; p=reject')).toBe(true);
    expect(looksLikeDmarcRecord('v=DMARC1')).toBe(true);
    expect(looksLikeDmarcRecord(' V = dmarc1;p=none')).toBe(true);
    expect(looksLikeDmarcRecord('v=DMARC1 p=reject')).toBe(true);
    expect(looksLikeDmarcRecord('v=DMARC10; p=reject')).toBe(false);
    expect(looksLikeDmarcRecord('p=reject; v=DMARC1')).toBe(false);
    expect(looksLikeDmarcRecord('v=spf1 -all')).toBe(false);
  });

  it('spots a version tag that is not first', () => {
    expect(hasMisplacedVersion('p=reject; v=DMARC1; rua=mailto:a@example.com')).toBe(true);
    expect(hasMisplacedVersion('p=reject; v=DMARC1')).toBe(true);
    expect(hasMisplacedVersion('v=DMARC1; p=reject')).toBe(false);
    expect(hasMisplacedVersion('google-site-verification=abc')).toBe(false);
  });

  it('spots SPF records', () => {
    expect(isSpfRecord('v=spf1 mx -all')).toBe(true);
    expect(isSpfRecord('v=spf1')).toBe(true);
    expect(isSpfRecord('v=spf10')).toBe(false);
    expect(isSpfRecord('v=DMARC1; p=none')).toBe(false);
  });
});
