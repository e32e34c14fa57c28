import { describe, expect, it } from 'vitest';
import { expandDomainSpec, parseMacroString } from './spf-macro';
import { dedupeNetworks, toNetwork } from './spf-networks';
import {
  classifyTxt,
  domainSpecProblem,
  lookalikeReason,
  parseSpfRecord,
  parseTerm,
  type SpfInvalidTerm,
} from './spf-parser';
import { estimateTxtResponseBytes } from './spf-record-size';

const term = (text: string) => parseTerm(text, 0);
const error = (text: string) => {
  const t = term(text);
  expect(t.kind, `${text} should be invalid`).toBe('invalid');
  return t as SpfInvalidTerm;
};

describe('classifyTxt', () => {
  it.each([
    ['v=spf1 -all', 'spf'],
    ['v=spf1', 'spf'],
    ['v=spf1 ', 'spf'],
    [' v=spf1 -all', 'lookalike'],
    ['V=SPF1 -all', 'lookalike'],
    ['v = spf1 -all', 'lookalike'],
    ['v=spf1\t-all', 'lookalike'],
    ['v=spf1;-all', 'lookalike'],
    ['"v=spf1 -all"', 'lookalike'],
    ['v=spf10 -all', 'lookalike'],
    ['spf2.0/pra ip4:192.0.2.1 -all', 'sender-id'],
    ['google-site-verification=abc', 'other'],
    ['v=DMARC1; p=none', 'other'],
  ])('%j is %s', (value, kind) => {
    expect(classifyTxt(value)).toBe(kind);
  });

  it('says why a look-alike is not selected', () => {
    expect(lookalikeReason(' v=spf1 -all')).toMatch(/whitespace/);
    expect(lookalikeReason('V=SPF1 -all')).toMatch(/lower case/);
    expect(lookalikeReason('v = spf1 -all')).toMatch(/around "="/);
    expect(lookalikeReason('v=spf1\t-all')).toMatch(/a tab/);
    expect(lookalikeReason('"v=spf1 -all"')).toMatch(/quotes/);
  });
});

describe('parseSpfRecord', () => {
  it('parses every mechanism with its qualifier, domain and prefix lengths', () => {
    const { terms, errors } = parseSpfRecord(
      'v=spf1 +a -mx:mail.example.com/24 ~a:%{d}/24//64 ?ptr ptr:example.org ip4:192.0.2.0/24 ' +
        'ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d} include:_spf.example.com mx//48 IP4:192.0.2.9 -ALL',
    );
    expect(errors).toEqual([]);
    expect(terms).toEqual([
      { kind: 'mechanism', text: '+a', offset: 7, qualifier: '+', mechanism: 'a' },
      {
        kind: 'mechanism',
        text: '-mx:mail.example.com/24',
        offset: 10,
        qualifier: '-',
        mechanism: 'mx',
        domainSpec: 'mail.example.com',
        ip4Cidr: 24,
      },
      expect.objectContaining({
        qualifier: '~',
        mechanism: 'a',
        domainSpec: '%{d}',
        ip4Cidr: 24,
        ip6Cidr: 64,
      }),
      expect.objectContaining({ qualifier: '?', mechanism: 'ptr' }),
      expect.objectContaining({ mechanism: 'ptr', domainSpec: 'example.org' }),
      expect.objectContaining({ mechanism: 'ip4', address: '192.0.2.0', ip4Cidr: 24 }),
      expect.objectContaining({ mechanism: 'ip6', address: '2001:db8::', ip6Cidr: 32 }),
      expect.objectContaining({ mechanism: 'exists', domainSpec: '%{ir}.%{v}._spf.%{d}' }),
      expect.objectContaining({ mechanism: 'include', domainSpec: '_spf.example.com' }),
      expect.objectContaining({ mechanism: 'mx', ip6Cidr: 48 }),
      expect.objectContaining({ mechanism: 'ip4', address: '192.0.2.9', qualifier: '+' }),
      expect.objectContaining({ mechanism: 'all', qualifier: '-', text: '-ALL' }),
    ]);
  });

  it('parses modifiers, lower-casing their names', () => {
    const { terms, errors } = parseSpfRecord(
      'v=spf1 Redirect=_spf.example.com exp=explain.%{d} foo=bar moo.cow-far_out=man:dog/cat',
    );
    expect(errors).toEqual([]);
    expect(terms.map((t) => t.kind === 'modifier' && [t.name, t.value])).toEqual([
      ['redirect', '_spf.example.com'],
      ['exp', 'explain.%{d}'],
      ['foo', 'bar'],
      ['moo.cow-far_out', 'man:dog/cat'],
    ]);
  });

  it('accepts several spaces between terms and trailing spaces, and an empty record', () => {
    expect(parseSpfRecord('v=spf1  a   -all  ').terms.map((t) => t.text)).toEqual(['a', '-all']);
    expect(parseSpfRecord('v=spf1  a   -all').terms[1]!.offset).toBe(12);
    expect(parseSpfRecord('v=spf1')).toEqual({ terms: [], errors: [] });
  });

  it('keeps invalid terms in place and lists them as errors', () => {
    const { terms, errors } = parseSpfRecord('v=spf1 a foo -all');
    expect(terms.map((t) => t.kind)).toEqual(['mechanism', 'invalid', 'mechanism']);
    expect(errors).toEqual([
      {
        kind: 'invalid',
        text: 'foo',
        offset: 9,
        error: 'spf.syntax-error',
        reason: '"foo" is not a mechanism',
      },
    ]);
  });
});

describe('parseTerm errors name the term and the reason', () => {
  it.each([
    ['ipv4:192.0.2.1', /"ipv4" is not a mechanism; did you mean ip4\?/],
    ['redirect:example.com', /did you mean redirect=/],
    ['all:foo', /"all" takes no argument/],
    ['include', /needs ":" and a domain/],
    ['include:', /domain is empty/],
    ['include:localhost', /not a fully qualified domain name/],
    ['include:example.com/24', /takes no prefix length/],
    ['exists:example.com/24', /takes no prefix length/],
    ['a:192.0.2.1', /is an address, not a domain; addresses go in ip4:/],
    ['a:example..com', /empty label/],
    ['mx:example.123', /valid top-level label/],
    ['a;', /followed by ";"/],
    ['ptr/24', /takes only ":"/],
    ['ip4', /needs ":" and an address/],
    ['ip4:', /needs ":" and an address/],
    ['ip4:192.0.2', /not an IPv4 address/],
    ['ip4:192.0.2.256', /not an IPv4 address/],
    ['ip4:010.0.0.1', /not an IPv4 address/],
    ['ip4:2001:db8::1', /IPv6 addresses go in ip6:/],
    ['ip6:192.0.2.1', /IPv4 addresses go in ip6:|IPv4 addresses go in ip4:/],
    ['ip6:2001:db8:::1', /not an IPv6 address/],
    ['-redirect=example.com', /modifier cannot take a qualifier/],
    ['a\tmx', /contains a tab/],
    ['*all', /neither a mechanism nor a modifier/],
    ['ip4:192.0.2.1é', /contains "é"/],
  ])('%j', (text, reason) => {
    const t = error(text);
    expect(t.error).toBe('spf.syntax-error');
    expect(t.text).toBe(text);
    expect(t.reason).toMatch(reason);
  });

  it.each([
    ['ip4:192.0.2.0/33', '"/33" is not an IPv4 prefix length (0 to 32)'],
    ['ip4:192.0.2.0/024', '"/024" is not an IPv4 prefix length (0 to 32)'],
    ['ip4:192.0.2.0/', '"/" is not an IPv4 prefix length (0 to 32)'],
    ['ip6:2001:db8::/129', '"/129" is not an IPv6 prefix length (0 to 128)'],
    ['a/40', '"/40" is not an IPv4 prefix length (0 to 32)'],
    ['mx:example.com//200', '"//200" is not an IPv6 prefix length (0 to 128)'],
    ['a/24//abc', '"//abc" is not an IPv6 prefix length (0 to 128)'],
    ['a:example.com/x', '"/x" is not an IPv4 prefix length (0 to 32)'],
    ['a///64', '"/" is not an IPv4 prefix length (0 to 32)'],
  ])('invalid CIDR %j', (text, reason) => {
    expect(error(text)).toMatchObject({ error: 'spf.invalid-cidr', reason });
  });

  it('accepts the CIDR bounds', () => {
    for (const ok of [
      'ip4:0.0.0.0/0',
      'ip4:192.0.2.1/32',
      'ip6:::/0',
      'ip6:::1/128',
      'a/0//0',
      'a/32//128',
    ]) {
      expect(term(ok).kind, ok).toBe('mechanism');
    }
  });

  it.each(['ip4:%{i}', 'ip6:%{i}/64', 'ip4:192.0.%{d}.1'])('macro in an ip term: %j', (text) => {
    expect(error(text)).toMatchObject({ error: 'spf.macro-in-ip' });
  });
});

describe('macros (RFC 7208 §7)', () => {
  it.each([
    '%{s}.example.com',
    '%{l}.%{o}.example.com',
    '%{d}',
    '%{d2}',
    '%{ir}.%{v}._spf.%{d2}',
    '%{i}.%{h}.%{p}.example.com',
    '%{S}.example.com',
    '%{l1r-}.example.com',
    '%{d3r.-+,/_=}.example.com',
    '100%%.example.com',
    'a%_b%-c.example.com',
  ])('valid domain-spec %j', (spec) => {
    expect(domainSpecProblem(spec)).toBeUndefined();
  });

  it.each([
    ['%{x}.example.com', /"x" is not a macro letter/],
    ['%{c}.example.com', /only allowed in exp= explanation text/],
    ['%{r}.example.com', /only allowed in exp= explanation text/],
    ['%{t}.example.com', /only allowed in exp= explanation text/],
    ['%{d0}.example.com', /at least 1/],
    ['%{d2x}.example.com', /transformers must be/],
    ['%{d.example.com', /no closing "}"/],
    ['%d.example.com', /"%d" is not a macro/],
    ['100%.example.com', /"%." is not a macro/],
    ['example.com%', /"%" is not a macro/],
    ['%{}.example.com', /transformers must be|not a macro letter/],
  ])('invalid %j', (spec, reason) => {
    const problem = domainSpecProblem(spec);
    expect(problem?.macro).toBe(true);
    expect(problem?.reason).toMatch(reason);
  });

  it('reports a bad macro in a term as spf.invalid-macro', () => {
    expect(error('exists:%{x}.example.com')).toMatchObject({ error: 'spf.invalid-macro' });
    expect(error('include:%{d0}.example.com')).toMatchObject({ error: 'spf.invalid-macro' });
    expect(error('redirect=%{q}.example.com')).toMatchObject({ error: 'spf.invalid-macro' });
    expect(error('foo=%{q}')).toMatchObject({ error: 'spf.invalid-macro' });
  });

  it('allows c, r, t and spaces in explanation text only', () => {
    expect(
      parseMacroString('%{i} is not allowed by %{d} at %{t} (%{c}, %{r})', 'explanation').ok,
    ).toBe(true);
    expect(parseMacroString('a b', 'domain-spec')).toMatchObject({ ok: false });
  });

  it('expands %{d} with its transformers, and nothing that needs the message', () => {
    expect(expandDomainSpec('_spf.%{d}', 'mail.example.com')).toBe('_spf.mail.example.com');
    expect(expandDomainSpec('%{d2}', 'mail.example.com')).toBe('example.com');
    expect(expandDomainSpec('%{dr}', 'mail.example.com')).toBe('com.example.mail');
    expect(expandDomainSpec('%{d1r}.x.test', 'mail.example.com')).toBe('mail.x.test');
    expect(expandDomainSpec('example.com.', 'x.test')).toBe('example.com');
    expect(expandDomainSpec('%{i}.example.com', 'x.test')).toBeUndefined();
    expect(expandDomainSpec('%{l}.example.com', 'x.test')).toBeUndefined();
  });
});

describe('networks', () => {
  it('clears host bits and writes CIDR', () => {
    expect(toNetwork('192.0.2.77', 24)).toBe('192.0.2.0/24');
    expect(toNetwork('192.0.2.77')).toBe('192.0.2.77/32');
    expect(toNetwork('2001:db8::25', 48)).toBe('2001:db8::/48');
    expect(toNetwork('2001:db8::25')).toBe('2001:db8::25/128');
  });

  it('removes duplicates and contained networks, IPv4 first', () => {
    expect(
      dedupeNetworks([
        '2001:db8::25/128',
        '192.0.2.7/32',
        '192.0.2.0/24',
        '198.51.100.1/32',
        '2001:db8::/32',
        '192.0.2.0/24',
        '10.0.0.0/8',
      ]),
    ).toEqual(['10.0.0.0/8', '192.0.2.0/24', '198.51.100.1/32', '2001:db8::/32']);
  });
});

describe('estimateTxtResponseBytes', () => {
  it('counts header, question and each answer with its strings', () => {
    // 12 + (1+7 + 1+3 + 1) + 4 + (12 + 1 + 11)
    expect(estimateTxtResponseBytes('example.com', [['v=spf1 -all']])).toBe(53);
    expect(estimateTxtResponseBytes('example.com.', [['v=spf1 ', '-all']])).toBe(54);
  });
});
