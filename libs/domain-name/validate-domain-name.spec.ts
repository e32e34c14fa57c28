import { describe, expect, it } from 'vitest';
import {
  InvalidDomainName,
  isValidDomainName,
  validateDomainName,
  type InvalidDomainNameReason,
} from './index';

const label = (n: number, char = 'a') => char.repeat(n);
// A name of exactly `total` octets: 61-octet labels, then one that makes up the rest.
const nameOf = (total: number) => {
  const labels: string[] = [];
  let rest = total;
  for (let i = 0; rest > 62; i += 1, rest -= 62) labels.push(label(61, 'abcdefgh'[i]));
  return [...labels, label(rest, 'z')].join('.');
};
// 24 distinct ideographs: 72 octets in UTF-8, a 65-octet A-label.
const longULabel = '一二三四五六七八九十百千万亿甲乙丙丁戊己庚辛壬癸';

describe('validateDomainName accepts', () => {
  it.each<[string, string, string, string]>([
    // [case, input, ascii, unicode]
    ['a plain name', 'example.com', 'example.com', 'example.com'],
    ['a lab .test name', 'good.perimeter.test', 'good.perimeter.test', 'good.perimeter.test'],
    ['a trailing dot', 'example.com.', 'example.com', 'example.com'],
    ['surrounding whitespace', '  example.com\t\n', 'example.com', 'example.com'],
    ['uppercase, folded', 'WWW.Example.COM', 'www.example.com', 'www.example.com'],
    ['a U-label', 'bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['an uppercase U-label', 'BÜCHER.Example.', 'xn--bcher-kva.example', 'bücher.example'],
    ['an A-label', 'xn--bcher-kva.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['an uppercase A-label', 'XN--BCHER-KVA.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['an emoji label', '😀.example', 'xn--e28h.example', '😀.example'],
    ['an IDN TLD', '例子.中国', 'xn--fsqu00a.xn--fiqs8s', '例子.中国'],
    ['the ideographic full stop', 'example。com', 'example.com', 'example.com'],
    ['fullwidth letters and dot', 'ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com', 'example.com'],
    ['sharp s, non-transitional', 'faß.de', 'xn--fa-hia.de', 'faß.de'],
    ['a soft hyphen, mapped away', 'ex\u00adample.com', 'example.com', 'example.com'],
    ['digits and inner hyphens', 'a-1.b2-c.example', 'a-1.b2-c.example', 'a-1.b2-c.example'],
    ['an all-numeric non-TLD label', '123.example.com', '123.example.com', '123.example.com'],
    ['a TLD with a digit', 'example.a1', 'example.a1', 'example.a1'],
    ['a single-letter label', 'x.y', 'x.y', 'x.y'],
    ['a 63-octet label', `${label(63)}.com`, `${label(63)}.com`, `${label(63)}.com`],
    ['253 octets in total', nameOf(253), nameOf(253), nameOf(253)],
    ['253 octets plus the trailing dot', `${nameOf(253)}.`, nameOf(253), nameOf(253)],
  ])('%s: %j', (_case, input, ascii, unicode) => {
    expect(validateDomainName(input)).toEqual({ ascii, unicode });
    expect(isValidDomainName(input)).toBe(true);
  });
});

describe('validateDomainName rejects', () => {
  it.each<[InvalidDomainNameReason, string, string, string?]>([
    // [reason, case, input, text the message must contain]
    ['empty', 'an empty string', ''],
    ['empty', 'whitespace only', ' \t '],
    ['empty', 'a lone dot', '.'],
    ['too-long', 'input beyond the guard', `${'a.'.repeat(600)}com`, 'at most 1024'],
    ['too-long', '254 octets', nameOf(254), '254 octets'],
    ['too-long', '254 octets with a trailing dot', `${nameOf(254)}.`],
    [
      'too-long',
      'a U-label name that is too long only in ASCII',
      `${'ü'.repeat(50)}.${nameOf(200)}`,
    ],
    ['label-too-long', 'a 64-octet label', `${label(64)}.com`, `"${label(64)}"`],
    ['label-too-long', 'a U-label over 63 octets as an A-label', `${longULabel}.com`, 'xn--'],
    ['empty-label', 'a leading dot', '.example.com'],
    ['empty-label', 'two dots in a row', 'a..example.com'],
    ['empty-label', 'two trailing dots', 'example.com..'],
    ['invalid-character', 'an underscore', '_dmarc.example.com', '"_dmarc"'],
    ['invalid-character', 'an inner underscore', 'my_host.example.com', 'underscore'],
    ['invalid-character', 'a wildcard', '*.example.com', '"*"'],
    ['invalid-character', 'a percent sign', 'a%41.example.com'],
    ['invalid-character', 'an exclamation mark', 'hey!.example.com', '"hey!"'],
    ['invalid-character', 'a NUL byte', 'a\u0000b.example.com', 'U+0000'],
    ['invalid-character', 'a fullwidth underscore', 'a＿b.example.com'],
    ['invalid-character', 'a comma', 'a,b.com'],
    ['hyphen-position', 'a leading hyphen', '-a.example.com', '"-a"'],
    ['hyphen-position', 'a trailing hyphen', 'a-.example.com', '"a-"'],
    ['hyphen-position', 'a hyphen-only label', '-.example.com'],
    ['hyphen-position', "'--' in positions 3-4", 'ab--c.example.com', '"ab--c"'],
    ['hyphen-position', "'--' in positions 3-4 of the TLD", 'example.ab--c'],
    ['idna', 'an A-label that is not punycode', 'xn--a.example.com', '"xn--a"'],
    ['idna', 'an empty A-label', 'xn--.example.com'],
    ['idna', 'an A-label encoding ASCII only', 'xn--abc-.example.com'],
    ['idna', 'an A-label of an uppercase U-label (Ü)', 'xn--wca.example'],
    ['idna', 'an invalid U-label', 'xn--iñvalid.com'],
    ['idna', 'a lone zero-width joiner', '\u200d.example.com'],
    ['idna', 'Arabic-Indic digits next to LTR labels (bidi)', '١٢٣.example.com'],
    ['single-label', 'localhost', 'localhost', '"localhost"'],
    ['single-label', 'a bare TLD', 'com'],
    ['single-label', 'a bare TLD with its dot', 'com.'],
    ['single-label', 'a single U-label', 'bücher'],
    ['ip-literal', 'dotted-quad IPv4', '192.0.2.1', 'IPv4'],
    ['ip-literal', 'IPv4 with a trailing dot', '192.0.2.1.'],
    ['ip-literal', 'shortened IPv4', '127.1', '127.0.0.1'],
    ['ip-literal', 'hex IPv4', '0x7f.0.0.1', '127.0.0.1'],
    ['ip-literal', 'octal IPv4', '0177.0.0.01', '127.0.0.1'],
    ['ip-literal', 'IPv4 as one number', '2130706433', '127.0.0.1'],
    ['ip-literal', 'fullwidth IPv4', '１２７．０．０．１'],
    ['ip-literal', 'IPv6', '2001:db8::1', 'IPv6'],
    ['ip-literal', 'IPv6 loopback', '::1'],
    ['ip-literal', 'bracketed IPv6', '[::1]'],
    ['ip-literal', 'IPv4-mapped IPv6', '::ffff:10.0.0.1'],
    ['ip-literal', 'IPv6 with a zone', 'fe80::1%eth0'],
    ['numeric-tld', 'an all-numeric TLD', 'example.123', '"123"'],
    ['numeric-tld', 'a hex-number TLD', 'example.0x1f', '"0x1f"'],
    ['numeric-tld', 'an IPv4 with an out-of-range part', '1.2.3.999999999999'],
    ['numeric-tld', 'a numeric TLD with a trailing dot', 'example.42.'],
    ['not-a-hostname', 'an https URL', 'https://example.com', 'URL'],
    ['not-a-hostname', 'an http URL with a path', 'http://example.com/a'],
    ['not-a-hostname', 'a scheme-relative URL', '//example.com'],
    ['not-a-hostname', 'a path', 'example.com/path', 'path'],
    ['not-a-hostname', 'a query', 'example.com?x=1'],
    ['not-a-hostname', 'a fragment', 'example.com#top'],
    ['not-a-hostname', 'a backslash', 'example.com\\x'],
    ['not-a-hostname', 'a port', 'example.com:443', 'port'],
    ['not-a-hostname', 'a fullwidth colon port', 'example.com：443', 'port'],
    ['not-a-hostname', 'a bracketed IPv6 with a port', '[::1]:443'],
    ['not-a-hostname', 'userinfo', 'user@example.com', '@'],
    ['not-a-hostname', 'a mailto URI', 'mailto:a@example.com'],
    ['not-a-hostname', 'an inner space', 'a b.com', 'whitespace'],
    ['not-a-hostname', 'an ideographic space', 'a\u3000b.com', 'whitespace'],
    ['not-a-hostname', 'an inner newline', 'example.com\nevil.com'],
  ])('%s: %s', (reason, _case, input, inMessage) => {
    let caught: unknown;
    try {
      validateDomainName(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidDomainName);
    const error = caught as InvalidDomainName;
    expect(error.reason).toBe(reason);
    expect(error.name).toBe('InvalidDomainName');
    if (inMessage !== undefined) expect(error.message).toContain(inMessage);
    expect(isValidDomainName(input)).toBe(false);
  });
});

describe('validateDomainName messages', () => {
  it('name the offending label and carry it', () => {
    expect(() => validateDomainName('www.my_host.example.com')).toThrow(
      /label "my_host" of "www.my_host.example.com" contains "_"/,
    );
    try {
      validateDomainName(`ok.${label(64)}.example.com`);
    } catch (error) {
      expect((error as InvalidDomainName).label).toBe(label(64));
    }
  });

  it('stay short and escaped for hostile input', () => {
    const hostile = `${'\u0001'.repeat(500)}.com`;
    try {
      validateDomainName(hostile);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
      expect((error as Error).message).not.toContain('\u0001');
    }
  });

  it('show invisible characters escaped', () => {
    expect(() => validateDomainName('\u200d.example.com')).toThrow(/label "\\u200d"/);
    expect(() => validateDomainName('a\u202eb.example.com')).toThrow(/"a\\u202eb\.example\.com"/);
  });

  it('refuse over-long input before reading it', () => {
    const huge = `${'a'.repeat(1025)}`;
    expect(() => validateDomainName(huge)).toThrow(/at most 1024/);
    // Surrounding whitespace counts too: the guard runs before trimming.
    expect(() => validateDomainName(`${' '.repeat(1020)}a.com`)).toThrow(/at most 1024/);
  });
});
