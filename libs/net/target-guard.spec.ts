import { describe, expect, it } from 'vitest';
import { InvalidIpAddress, TargetNotAllowed, TargetUnresolvable } from './errors';
import {
  classifyAddress,
  filterTargetAddresses,
  resolveTarget,
  type TargetResolver,
} from './target-guard';

const deny = { allowPrivateTargets: false };
const allow = { allowPrivateTargets: true };

describe('classifyAddress', () => {
  it.each<[string, string, 4 | 6, string, boolean]>([
    // [input, normalised address, family, range, public]
    ['8.8.8.8', '8.8.8.8', 4, 'unicast', true],
    ['1.1.1.1', '1.1.1.1', 4, 'unicast', true],
    ['10.0.0.5', '10.0.0.5', 4, 'private', false],
    ['172.16.0.1', '172.16.0.1', 4, 'private', false],
    ['172.31.255.255', '172.31.255.255', 4, 'private', false],
    ['172.32.0.1', '172.32.0.1', 4, 'unicast', true],
    ['192.168.1.1', '192.168.1.1', 4, 'private', false],
    ['127.0.0.1', '127.0.0.1', 4, 'loopback', false],
    ['127.10.20.30', '127.10.20.30', 4, 'loopback', false],
    ['169.254.169.254', '169.254.169.254', 4, 'linkLocal', false],
    ['100.64.0.1', '100.64.0.1', 4, 'carrierGradeNat', false],
    ['0.0.0.0', '0.0.0.0', 4, 'unspecified', false],
    ['0.1.2.3', '0.1.2.3', 4, 'unspecified', false],
    ['224.0.0.1', '224.0.0.1', 4, 'multicast', false],
    ['239.255.255.250', '239.255.255.250', 4, 'multicast', false],
    ['255.255.255.255', '255.255.255.255', 4, 'broadcast', false],
    ['240.0.0.1', '240.0.0.1', 4, 'reserved', false],
    ['192.0.0.8', '192.0.0.8', 4, 'reserved', false],
    ['192.0.2.10', '192.0.2.10', 4, 'reserved', false],
    ['198.51.100.7', '198.51.100.7', 4, 'reserved', false],
    ['203.0.113.9', '203.0.113.9', 4, 'reserved', false],
    ['198.18.0.1', '198.18.0.1', 4, 'reserved', false],
    ['198.19.255.254', '198.19.255.254', 4, 'reserved', false],
    // inet_aton forms, normalised to what they mean
    ['127.1', '127.0.0.1', 4, 'loopback', false],
    ['0x7f.0.0.1', '127.0.0.1', 4, 'loopback', false],
    ['2130706433', '127.0.0.1', 4, 'loopback', false],
    ['012.0.0.1', '10.0.0.1', 4, 'private', false],
    // IPv6
    ['2606:4700:4700::1111', '2606:4700:4700::1111', 6, 'unicast', true],
    ['2001:4860:4860::8888', '2001:4860:4860::8888', 6, 'unicast', true],
    ['2606:4700:4700:0:0:0:0:1111', '2606:4700:4700::1111', 6, 'unicast', true],
    ['2A00:1450::1', '2a00:1450::1', 6, 'unicast', true],
    ['::1', '::1', 6, 'loopback', false],
    ['::', '::', 6, 'unspecified', false],
    ['fe80::1', 'fe80::1', 6, 'linkLocal', false],
    ['fc00::1', 'fc00::1', 6, 'uniqueLocal', false],
    ['fd12:3456::1', 'fd12:3456::1', 6, 'uniqueLocal', false],
    ['ff02::1', 'ff02::1', 6, 'multicast', false],
    ['2001:db8::1', '2001:db8::1', 6, 'reserved', false],
    ['3fff::1', '3fff::1', 6, 'reserved', false],
    ['2002:c000:204::1', '2002:c000:204::1', 6, '6to4', false],
    ['2002:808:808::1', '2002:808:808::1', 6, '6to4', false],
    [
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      6,
      'teredo',
      false,
    ],
    ['2001:2::1', '2001:2::1', 6, 'benchmarking', false],
    ['64:ff9b:1::a00:1', '64:ff9b:1::a00:1', 6, 'rfc6052', false],
    ['fec0::1', 'fec0::1', 6, 'deprecatedSiteLocal', false],
    ['100::1', '100::1', 6, 'discard', false],
    // ipaddr.js says 'unicast' for unallocated space; only 2000::/3 is global.
    ['4000::1', '4000::1', 6, 'reserved', false],
    ['::102:304', '::102:304', 6, 'reserved', false],
    ['::1.2.3.4', '::102:304', 6, 'reserved', false],
    ['::127.0.0.1', '::7f00:1', 6, 'reserved', false],
    // IPv6 that reaches an IPv4 address is judged by it
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1', 6, 'private', false],
    ['::ffff:a00:1', '::ffff:10.0.0.1', 6, 'private', false],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 6, 'loopback', false],
    ['::ffff:169.254.169.254', '::ffff:169.254.169.254', 6, 'linkLocal', false],
    ['::ffff:0.0.0.0', '::ffff:0.0.0.0', 6, 'unspecified', false],
    ['::ffff:8.8.8.8', '::ffff:8.8.8.8', 6, 'unicast', true],
    ['::ffff:0:10.0.0.1', '::ffff:0:10.0.0.1', 6, 'private', false],
    ['64:ff9b::10.0.0.1', '64:ff9b::10.0.0.1', 6, 'private', false],
    ['64:ff9b::7f00:1', '64:ff9b::127.0.0.1', 6, 'loopback', false],
    ['64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', 6, 'linkLocal', false],
    ['64:ff9b::808:808', '64:ff9b::8.8.8.8', 6, 'unicast', true],
  ])('%s', (input, address, family, range, isPublic) => {
    expect(classifyAddress(input)).toEqual({ address, family, range, public: isPublic });
  });

  it.each([
    'example.com',
    '',
    ' 8.8.8.8',
    '8.8.8.8 ',
    '256.1.1.1',
    '1.2.3.4.',
    '[::1]',
    ':::1',
    '1::2::3',
    '::ffff:127.1',
    '::ffff:0x7f.0.0.1',
    'fe80::1%eth0',
    '10.0.0.1/8',
    `${'1:'.repeat(40)}1`,
  ])('refuses %j as not an IP address', (input) => {
    expect(() => classifyAddress(input)).toThrow(InvalidIpAddress);
  });

  it('says why a zone index is refused', () => {
    expect(() => classifyAddress('fe80::1%eth0')).toThrow(/zone index/);
  });
});

describe('filterTargetAddresses', () => {
  it.each<[string, boolean, boolean]>([
    // [address, allowed by default, allowed with ALLOW_PRIVATE_TARGETS]
    ['8.8.8.8', true, true],
    ['2606:4700:4700::1111', true, true],
    ['::ffff:8.8.8.8', true, true],
    ['64:ff9b::808:808', true, true],
    ['10.0.0.5', false, true],
    ['192.168.0.10', false, true],
    ['127.0.0.2', false, true],
    ['169.254.169.254', false, true],
    ['100.64.1.1', false, true],
    ['192.0.2.1', false, true],
    ['198.18.0.1', false, true],
    ['240.0.0.1', false, true],
    ['::1', false, true],
    ['fe80::1', false, true],
    ['fd00::1', false, true],
    ['2001:db8::1', false, true],
    ['2002:c000:204::1', false, true],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false, true],
    ['::ffff:10.0.0.1', false, true],
    ['64:ff9b::10.0.0.1', false, true],
    ['0.0.0.0', false, false],
    ['0.0.0.1', false, false],
    ['::', false, false],
    ['::ffff:0.0.0.0', false, false],
    ['224.0.0.251', false, false],
    ['ff02::1', false, false],
    ['255.255.255.255', false, false],
  ])('%s: default %s, with private targets %s', (address, byDefault, withPrivate) => {
    for (const [opts, expected] of [
      [deny, byDefault],
      [allow, withPrivate],
    ] as const) {
      if (expected) {
        expect(filterTargetAddresses('t.example', [address], opts)).toEqual({
          allowed: [classifyAddress(address).address],
          refused: [],
        });
      } else {
        expect(() => filterTargetAddresses('t.example', [address], opts)).toThrow(TargetNotAllowed);
      }
    }
  });

  it('allows only the public addresses of a mixed answer and reports the rest', () => {
    const result = filterTargetAddresses(
      'mixed.example',
      ['10.0.0.5', '93.184.215.14', '::1', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      deny,
    );
    expect(result).toEqual({
      allowed: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      refused: [
        { address: '10.0.0.5', range: 'private' },
        { address: '::1', range: 'loopback' },
      ],
    });
  });

  it('allows private addresses when configured, never unspecified or multicast', () => {
    expect(
      filterTargetAddresses('lab.test', ['127.0.0.53', '0.0.0.0', 'ff02::1', 'fd00::5'], allow),
    ).toEqual({
      allowed: ['127.0.0.53', 'fd00::5'],
      refused: [
        { address: '0.0.0.0', range: 'unspecified' },
        { address: 'ff02::1', range: 'multicast' },
      ],
    });
  });

  it('normalises and removes duplicates', () => {
    expect(
      filterTargetAddresses(
        'dup.example',
        ['8.8.8.8', '2001:4860:4860:0:0:0:0:8888', '8.8.8.8', '2001:4860:4860::8888'],
        deny,
      ),
    ).toEqual({ allowed: ['8.8.8.8', '2001:4860:4860::8888'], refused: [] });
  });

  it('throws TargetUnresolvable for no addresses', () => {
    for (const opts of [deny, allow]) {
      const error = catchError(() => filterTargetAddresses('void.example', [], opts));
      expect(error).toBeInstanceOf(TargetUnresolvable);
      expect(error).toMatchObject({ target: 'void.example', name: 'TargetUnresolvable' });
      expect((error as Error).message).toBe('cannot scan void.example: it has no A or AAAA record');
    }
  });

  it('names every refused address and the setting that would allow them', () => {
    const error = catchError(() =>
      filterTargetAddresses('example.test', ['10.0.0.5', '::1'], deny),
    );
    expect(error).toBeInstanceOf(TargetNotAllowed);
    expect(error).toMatchObject({
      name: 'TargetNotAllowed',
      target: 'example.test',
      refused: [
        { address: '10.0.0.5', range: 'private' },
        { address: '::1', range: 'loopback' },
      ],
    });
    expect((error as Error).message).toBe(
      'refusing to scan example.test: it resolves only to non-public addresses ' +
        '(10.0.0.5 private, ::1 loopback); set ALLOW_PRIVATE_TARGETS=true to allow',
    );
  });

  it('does not suggest the setting where it would not help', () => {
    for (const opts of [deny, allow]) {
      const error = catchError(() =>
        filterTargetAddresses('zero.example', ['0.0.0.0', 'ff05::2'], opts),
      );
      expect((error as Error).message).toBe(
        'refusing to scan zero.example: it resolves only to addresses no scan may target ' +
          '(0.0.0.0 unspecified, ff05::2 multicast)',
      );
    }
  });

  it('keeps the message short for a name with many records', () => {
    const many = Array.from({ length: 50 }, (_, i) => `10.0.0.${i + 1}`);
    const error = catchError(() => filterTargetAddresses('many.example', many, deny));
    expect((error as TargetNotAllowed).refused).toHaveLength(50);
    expect((error as Error).message).toContain('10.0.0.8 private, and 42 more)');
  });

  it('throws InvalidIpAddress for an answer that is not an address', () => {
    expect(() => filterTargetAddresses('bad.example', ['8.8.8.8', 'nope'], deny)).toThrow(
      InvalidIpAddress,
    );
  });
});

/** An in-memory resolver: the interface the guard needs, answering from a table. */
function tableResolver(
  table: Record<string, { a?: string[] | Error; aaaa?: string[] | Error }>,
): TargetResolver & { asked: string[] } {
  const asked: string[] = [];
  const answer = (name: string, kind: 'a' | 'aaaa'): Promise<string[]> => {
    asked.push(`${kind} ${name}`);
    const entry = table[name];
    if (entry === undefined) return Promise.reject(dnsError('ENOTFOUND', name));
    const value = entry[kind];
    if (value === undefined) return Promise.reject(dnsError('ENODATA', name));
    return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
  };
  return {
    asked,
    resolve4: (name) => answer(name, 'a'),
    resolve6: (name) => answer(name, 'aaaa'),
  };
}

function dnsError(code: string, name: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`query ${code} ${name}`), { code, hostname: name });
}

describe('resolveTarget', () => {
  const resolver = tableResolver({
    'public.example': { a: ['93.184.215.14'], aaaa: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
    'v4only.example': { a: ['93.184.215.14'] },
    'v6only.example': { aaaa: ['2606:4700:4700::1111'] },
    'mixed.example': { a: ['10.0.0.5', '8.8.8.8'], aaaa: ['::1'] },
    'lab.perimeter.test': { a: ['127.0.0.10'], aaaa: ['::1'] },
    'mapped.example': { aaaa: ['::ffff:192.168.1.1'] },
    'nodata.example': {},
    'timeout.example': { a: dnsError('ETIMEOUT', 'timeout.example'), aaaa: ['2606:4700::1'] },
    'servfail.example': { a: ['8.8.8.8'], aaaa: dnsError('ESERVFAIL', 'servfail.example') },
  });

  it('asks A and AAAA and allows public answers of both', async () => {
    await expect(resolveTarget('public.example', resolver, deny)).resolves.toEqual({
      allowed: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      refused: [],
    });
  });

  it.each([
    ['v4only.example', ['93.184.215.14']],
    ['v6only.example', ['2606:4700:4700::1111']],
  ])('treats ENODATA for one family as no records: %s', async (name, allowed) => {
    await expect(resolveTarget(name, resolver, deny)).resolves.toEqual({ allowed, refused: [] });
  });

  it('allows the public answer of a mixed name and reports the rest', async () => {
    await expect(resolveTarget('mixed.example', resolver, deny)).resolves.toEqual({
      allowed: ['8.8.8.8'],
      refused: [
        { address: '10.0.0.5', range: 'private' },
        { address: '::1', range: 'loopback' },
      ],
    });
  });

  it('refuses a name that resolves only to loopback, unless private targets are allowed', async () => {
    await expect(resolveTarget('lab.perimeter.test', resolver, deny)).rejects.toThrow(
      'refusing to scan lab.perimeter.test: it resolves only to non-public addresses ' +
        '(127.0.0.10 loopback, ::1 loopback); set ALLOW_PRIVATE_TARGETS=true to allow',
    );
    await expect(resolveTarget('lab.perimeter.test', resolver, allow)).resolves.toEqual({
      allowed: ['127.0.0.10', '::1'],
      refused: [],
    });
  });

  it('judges an IPv4-mapped AAAA answer by its IPv4 address', async () => {
    await expect(resolveTarget('mapped.example', resolver, deny)).rejects.toMatchObject({
      refused: [{ address: '::ffff:192.168.1.1', range: 'private' }],
    });
  });

  it.each(['nodata.example', 'nxdomain.example'])(
    'throws TargetUnresolvable for %s',
    async (name) => {
      await expect(resolveTarget(name, resolver, allow)).rejects.toThrow(TargetUnresolvable);
    },
  );

  it.each([
    ['timeout.example', 'ETIMEOUT'],
    ['servfail.example', 'ESERVFAIL'],
  ])(
    'rethrows other DNS failures, even with an answer for the other family: %s',
    async (name, code) => {
      await expect(resolveTarget(name, resolver, deny)).rejects.toMatchObject({ code });
    },
  );

  it.each<[string, string[] | undefined, string?]>([
    // [target, allowed by default (undefined: refused), range when refused]
    ['8.8.8.8', ['8.8.8.8'], undefined],
    ['2606:4700:4700::1111', ['2606:4700:4700::1111'], undefined],
    ['[2606:4700:4700::1111]', ['2606:4700:4700::1111'], undefined],
    ['10.0.0.5', undefined, 'private'],
    ['127.1', undefined, 'loopback'],
    ['2130706433', undefined, 'loopback'],
    ['[::1]', undefined, 'loopback'],
    ['::ffff:169.254.169.254', undefined, 'linkLocal'],
  ])('judges the IP literal %s without DNS', async (target, allowed, range) => {
    const literalResolver = tableResolver({});
    const result = resolveTarget(target, literalResolver, deny);
    if (allowed !== undefined) {
      await expect(result).resolves.toEqual({ allowed, refused: [] });
    } else {
      await expect(result).rejects.toMatchObject({ target, refused: [{ range }] });
      await expect(result).rejects.toThrow(/it is a non-public address/);
    }
    expect(literalResolver.asked).toEqual([]);
  });

  it('refuses an IP literal with a zone index without DNS', async () => {
    const literalResolver = tableResolver({});
    await expect(resolveTarget('fe80::1%eth0', literalResolver, allow)).rejects.toThrow(
      InvalidIpAddress,
    );
    expect(literalResolver.asked).toEqual([]);
  });

  it('allows a private IP literal when configured', async () => {
    await expect(resolveTarget('127.0.0.1', tableResolver({}), allow)).resolves.toEqual({
      allowed: ['127.0.0.1'],
      refused: [],
    });
  });

  it('works with a resolver whose methods need their object (like dns.Resolver)', async () => {
    class BoundResolver implements TargetResolver {
      private readonly answers = { a: ['8.8.4.4'], aaaa: [] as string[] };
      resolve4(): Promise<string[]> {
        return Promise.resolve(this.answers.a);
      }
      resolve6(): Promise<string[]> {
        return Promise.resolve(this.answers.aaaa);
      }
    }
    await expect(resolveTarget('bound.example', new BoundResolver(), deny)).resolves.toEqual({
      allowed: ['8.8.4.4'],
      refused: [],
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
