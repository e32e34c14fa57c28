import { describe, expect, it } from 'vitest';
import { parseZoneFile, ZoneFileError, type Zone, type ZoneRecord } from './zone-file';

const SOA = '@ IN SOA ns1 hostmaster 1 3600 600 604800 300';

function parse(body: string, origin = 'example.test.'): Zone {
  return parseZoneFile(`$ORIGIN ${origin}\n$TTL 300\n${SOA}\n${body}`, { fileName: 't.zone' });
}

/** The records other than the SOA, in file order. */
function records(body: string): ZoneRecord[] {
  return parse(body).records.filter((r) => r.type !== 'SOA');
}

function parseError(text: string): ZoneFileError {
  try {
    parseZoneFile(text, { fileName: 'bad.zone' });
  } catch (error) {
    if (error instanceof ZoneFileError) return error;
    throw error;
  }
  throw new Error('expected a ZoneFileError');
}

describe('parseZoneFile: syntax', () => {
  it('applies $ORIGIN and $TTL, resolves @, relative and absolute names, lowercases', () => {
    const zone = parseZoneFile(
      [
        '$ORIGIN Example.TEST.',
        '$TTL 1h',
        '@ IN SOA NS1 hostmaster.example.test. 7 3600 600 604800 300',
        'WWW IN A 192.0.2.1',
        'other.example.test. IN A 192.0.2.2',
        'Alias IN CNAME other.example.test.',
      ].join('\n'),
      { fileName: 'ex.zone' },
    );
    expect(zone.origin).toBe('example.test');
    expect(zone.source).toBe('ex.zone');
    expect(zone.records).toEqual([
      {
        name: 'example.test',
        ttl: 3600,
        type: 'SOA',
        data: {
          mname: 'ns1.example.test',
          rname: 'hostmaster.example.test',
          serial: 7,
          refresh: 3600,
          retry: 600,
          expire: 604800,
          minimum: 300,
        },
      },
      { name: 'www.example.test', ttl: 3600, type: 'A', data: '192.0.2.1' },
      { name: 'other.example.test', ttl: 3600, type: 'A', data: '192.0.2.2' },
      { name: 'alias.example.test', ttl: 3600, type: 'CNAME', data: 'other.example.test' },
    ]);
  });

  it('rejects a record outside the zone apex (the SOA owner)', () => {
    const error = parseError(
      ['$ORIGIN example.test.', '$TTL 60', SOA, 'elsewhere.test. IN A 192.0.2.1'].join('\n'),
    );
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/outside the zone 'example\.test'/);
  });

  it('stores names lowercase without the trailing dot', () => {
    expect(records('WWW IN A 192.0.2.1\nOther.Example.Test. IN CNAME WWW')).toEqual([
      { name: 'www.example.test', ttl: 300, type: 'A', data: '192.0.2.1' },
      { name: 'other.example.test', ttl: 300, type: 'CNAME', data: 'www.example.test' },
    ]);
  });

  it('repeats the previous owner when a line starts with whitespace', () => {
    const result = records('mail IN A 192.0.2.1\n  IN AAAA 2001:db8::1\n\tIN TXT "x"');
    expect(result.map((r) => [r.name, r.type])).toEqual([
      ['mail.example.test', 'A'],
      ['mail.example.test', 'AAAA'],
      ['mail.example.test', 'TXT'],
    ]);
  });

  it('accepts TTL and class in either order, both optional, with BIND units', () => {
    const result = records(
      [
        'a 60 IN A 192.0.2.1',
        'b IN 1h30m A 192.0.2.2',
        'c A 192.0.2.3',
        'd 1W IN A 192.0.2.4',
      ].join('\n'),
    );
    expect(result.map((r) => r.ttl)).toEqual([60, 5400, 300, 604800]);
  });

  it('falls back to the SOA minimum, then the previous TTL, when there is no $TTL', () => {
    const zone = parseZoneFile(
      [
        '$ORIGIN example.test.',
        '@ SOA ns1 hostmaster 1 3600 600 604800 120',
        'a A 192.0.2.1',
        'b 45 A 192.0.2.2',
        'c A 192.0.2.3',
      ].join('\n'),
    );
    expect(zone.records.map((r) => r.ttl)).toEqual([120, 120, 45, 45]);
  });

  it('joins lines inside parentheses and ignores comments there', () => {
    const zone = parseZoneFile(
      [
        '$ORIGIN example.test.',
        '$TTL 300',
        '@ IN SOA ns1.example.test. hostmaster.example.test. ( ; comment after the paren',
        '      2024060101 ; serial',
        '      3600       ; refresh',
        '      600 604800',
        '      300 )      ; minimum',
        'txt IN TXT ( "one"',
        '             "two" )',
      ].join('\n'),
    );
    expect(zone.records[0]).toEqual({
      name: 'example.test',
      ttl: 300,
      type: 'SOA',
      data: {
        mname: 'ns1.example.test',
        rname: 'hostmaster.example.test',
        serial: 2024060101,
        refresh: 3600,
        retry: 600,
        expire: 604800,
        minimum: 300,
      },
    });
    expect(zone.records[1]).toMatchObject({ type: 'TXT', data: ['one', 'two'] });
  });

  it('does not treat a whitespace-started line inside parentheses as a blank owner', () => {
    const result = records('a IN TXT (\n  "x"\n  "y" )\nb IN A 192.0.2.1');
    expect(result.map((r) => r.name)).toEqual(['a.example.test', 'b.example.test']);
  });

  it('treats ; inside quotes as text and outside as a comment', () => {
    expect(records('@ TXT "v=DMARC1; p=reject" ; the policy')[0]).toMatchObject({
      data: ['v=DMARC1; p=reject'],
    });
  });

  it('decodes \\" \\\\ and \\DDD escapes in quoted strings', () => {
    const [record] = records('@ TXT "say \\"hi\\" \\\\ ok \\065\\066 caf\\195\\169"');
    expect(record).toMatchObject({ data: ['say "hi" \\ ok AB café'] });
  });

  it('keeps several strings of one TXT apart, quoted or not', () => {
    expect(records('@ TXT "a b" c "" "d"')[0]).toMatchObject({ data: ['a b', 'c', '', 'd'] });
  });

  it('parses every supported record type', () => {
    const result = records(
      [
        '@ NS ns1',
        '@ AAAA 2001:DB8:0:0::1',
        '@ MX 10 mail',
        '@ CAA 128 issue "letsencrypt.org; validationmethods=dns-01"',
        '_sip._tcp SRV 10 20 5060 sip.example.test.',
        '1.2.0.192.in-addr IN PTR host',
        '_443._tcp TLSA 3 1 1 ( AB CD 0e )',
        '@ DS 12345 13 2 ( 49FD46E6C4B4 5C55D4AC )',
        '@ DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d',
        '                    xCjjnopKl+GqJxpVXckHAeF+KkxLbxIL fDLUT0rAK9iUzy1L53eKGQ== )',
      ].join('\n'),
    );
    expect(result.map((r) => r.data)).toEqual([
      'ns1.example.test',
      '2001:db8::1',
      { preference: 10, exchange: 'mail.example.test' },
      { flags: 128, tag: 'issue', value: 'letsencrypt.org; validationmethods=dns-01' },
      { priority: 10, weight: 20, port: 5060, target: 'sip.example.test' },
      'host.example.test',
      { usage: 3, selector: 1, matchingType: 1, certificate: 'abcd0e' },
      { keyTag: 12345, algorithm: 13, digestType: 2, digest: '49fd46e6c4b45c55d4ac' },
      {
        flags: 257,
        protocol: 3,
        algorithm: 13,
        key: 'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
      },
    ]);
  });

  it('honours a second $ORIGIN, relative to the current one', () => {
    const result = records('$ORIGIN sub\nhost A 192.0.2.1\n@ A 192.0.2.2');
    expect(result.map((r) => r.name)).toEqual(['host.sub.example.test', 'sub.example.test']);
  });

  it('uses options.origin when the file has no $ORIGIN', () => {
    const zone = parseZoneFile('$TTL 60\n' + SOA + '\nwww A 192.0.2.1', {
      origin: 'from-file-name.test',
    });
    expect(zone.origin).toBe('from-file-name.test');
    expect(zone.records[1]!.name).toBe('www.from-file-name.test');
  });

  it('collapses identical records (an RRset is a set)', () => {
    expect(records('a A 192.0.2.1\na A 192.0.2.1\na A 192.0.2.2')).toHaveLength(2);
  });

  it('keeps a literal dot of the SOA mailbox local part escaped', () => {
    const zone = parseZoneFile('$TTL 60\n$ORIGIN example.test.\n@ SOA ns1 john\\.doe 1 2 3 4 5');
    expect(zone.records[0]).toMatchObject({ data: { rname: 'john\\.doe.example.test' } });
  });
});

describe('parseZoneFile: errors carry the file name and line', () => {
  const cases: [string, string, number, RegExp][] = [
    [
      'unknown type',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\n\nx IN BOGUS 1`,
      5,
      /unknown .*type 'BOGUS'/,
    ],
    ['bad IPv4', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx A 192.0.2.300`, 4, /bad IPv4 address/],
    ['bad IPv6', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx AAAA 1::2::3`, 4, /bad IPv6 address/],
    ['IPv6 zone id', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx AAAA fe80::1%eth0`, 4, /bad IPv6/],
    ['@ without origin', `$TTL 1\n\n${SOA}`, 3, /'@' used but no \$ORIGIN/],
    [
      'relative name without origin',
      `$TTL 1\nwww.a.test. A 192.0.2.1\nwww A 192.0.2.1`,
      3,
      /relative name 'www' but no \$ORIGIN/,
    ],
    [
      'unclosed parenthesis',
      `$ORIGIN a.test.\n$TTL 1\n@ SOA ns1 h (\n 1 2 3 4 5\n\n`,
      3,
      /'\(' is never closed/,
    ],
    ['stray closing parenthesis', `$ORIGIN a.test.\n$TTL 1\n${SOA} )`, 3, /'\)' without '\('/],
    ['bad TTL', `$ORIGIN a.test.\n$TTL 1x\n${SOA}`, 2, /bad TTL '1x'/],
    ['TTL too large', `$ORIGIN a.test.\n$TTL 4294967295\n${SOA}`, 2, /bad TTL/],
    [
      'unterminated quote',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx TXT "abc\ny A 192.0.2.1`,
      4,
      /unterminated quoted string/,
    ],
    [
      'string over 255 bytes',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx TXT "${'a'.repeat(256)}"`,
      4,
      /longer than 255/,
    ],
    ['bad \\DDD escape', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx TXT "\\300"`, 4, /bad escape/],
    ['missing TTL', `$ORIGIN a.test.\nx A 192.0.2.1\n${SOA}`, 2, /no TTL/],
    ['no SOA', `$ORIGIN a.test.\n$TTL 1\nx A 192.0.2.1`, 1, /no SOA/],
    ['two SOAs', `$ORIGIN a.test.\n$TTL 1\n${SOA}\n${SOA}`, 4, /more than one SOA/],
    [
      'CNAME and other data',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx A 192.0.2.1\nx CNAME y`,
      5,
      /CNAME and other data/,
    ],
    ['wrong field count', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx MX mail`, 4, /MX expects 2 field/],
    [
      'MX preference out of range',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx MX 70000 mail`,
      4,
      /bad MX preference/,
    ],
    ['missing type', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx 60 IN`, 4, /missing record type/],
    ['unsupported class', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx CH A 192.0.2.1`, 4, /class CH/],
    ['unknown directive', `$ORIGIN a.test.\n$FOO bar`, 2, /unknown directive/],
    ['$INCLUDE', `$ORIGIN a.test.\n$INCLUDE other.zone`, 2, /not supported/],
    ['blank owner first', `$ORIGIN a.test.\n$TTL 1\n   A 192.0.2.1`, 3, /no owner name/],
    [
      'label over 63 bytes',
      `$ORIGIN a.test.\n$TTL 1\n${SOA}\n${'l'.repeat(64)} A 192.0.2.1`,
      4,
      /longer than 63/,
    ],
    ['empty label', `$ORIGIN a.test.\n$TTL 1\n${SOA}\nx..y A 192.0.2.1`, 4, /empty label/],
    ['bad CAA tag', `$ORIGIN a.test.\n$TTL 1\n${SOA}\n@ CAA 0 is-sue "x"`, 4, /bad CAA tag/],
    ['bad hex', `$ORIGIN a.test.\n$TTL 1\n${SOA}\n@ DS 1 13 2 ABC`, 4, /hex/],
  ];

  it.each(cases)('%s', (_label, text, line, message) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ZoneFileError');
    expect(error.fileName).toBe('bad.zone');
    expect(error.line).toBe(line);
    expect(error.reason).toMatch(message);
    expect(error.message).toBe(`bad.zone:${line}: ${error.reason}`);
  });
});
