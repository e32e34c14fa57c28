import type { promises as dns } from 'node:dns';
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../common/dns-lookup';
import { SpfFindings } from './spf.findings';
import { scanSpf } from './spf.scanner';

/** Zone data for a stub resolver: names to records; a missing name is NXDOMAIN. */
interface StubZone {
  txt?: Record<string, string[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  mx?: Record<string, string[]>;
  /** Names whose every question times out. */
  timeout?: string[];
}

function stubContext(zone: StubZone): CheckContext {
  const names = new Set(
    [zone.txt, zone.a, zone.aaaa, zone.mx].flatMap((t) => Object.keys(t ?? {})),
  );
  const answer =
    <T>(table: Record<string, T[]> | undefined, map: (v: T) => unknown = (v) => v) =>
    async (name: string) => {
      const fail = (code: string) => Promise.reject(Object.assign(new Error(code), { code }));
      if (zone.timeout?.includes(name)) return fail('ETIMEOUT');
      const records = table?.[name];
      if (records) return records.map(map);
      return fail(names.has(name) ? 'ENODATA' : 'ENOTFOUND');
    };
  const resolver = {
    resolveTxt: answer(zone.txt, (v: string) => [v]),
    resolve4: answer(zone.a),
    resolve6: answer(zone.aaaa),
    resolveMx: answer(zone.mx, (exchange: string) => ({ exchange, priority: 10 })),
    getServers: () => [],
  } as unknown as dns.Resolver;
  return { resolver, extraPublicSuffixes: [], allowPrivateTargets: true };
}

const ids = (findings: { id: string }[]) => findings.map((f) => f.id).sort();

describe('SPF evaluation details (stub resolver)', () => {
  it('a/mx dual CIDR lengths apply to the resolved addresses', async () => {
    const ctx = stubContext({
      txt: { 'example.test': ['v=spf1 a/24//64 mx:mail.example.test/28 -all'] },
      a: { 'example.test': ['192.0.2.10'], 'mx1.example.test': ['198.51.100.7'] },
      aaaa: { 'example.test': ['2001:db8:1:2::10'] },
      mx: { 'mail.example.test': ['mx1.example.test'] },
    });
    const r = await scanSpf('example.test', ctx);
    expect(r.data.authorisedNetworks).toEqual([
      '192.0.2.0/24',
      '198.51.100.0/28',
      '2001:db8:1:2::/64',
    ]);
  });

  it('networks keep the qualifier of the outermost include; non-pass ones are listed apart', async () => {
    const ctx = stubContext({
      txt: {
        'example.test': ['v=spf1 ~include:soft.example.test include:hard.example.test -all'],
        'soft.example.test': ['v=spf1 ip4:192.0.2.0/24 -ip4:198.51.100.1 -all'],
        'hard.example.test': ['v=spf1 ip4:203.0.113.0/24 ?ip4:203.0.114.1 -all'],
      },
    });
    const r = await scanSpf('example.test', ctx);
    expect(r.data.authorisedNetworks).toEqual(['203.0.113.0/24']);
    // Inside an include only a pass matches; "-ip4" there just makes the include not match.
    expect(r.data.otherNetworks).toEqual([
      {
        network: '192.0.2.0/24',
        qualifier: '~',
        domain: 'soft.example.test',
        term: 'ip4:192.0.2.0/24',
      },
    ]);
  });

  it('a ?include of a record ending in +all does not authorise everybody', async () => {
    const ctx = stubContext({
      txt: {
        'example.test': ['v=spf1 ?include:any.example.test -all'],
        'any.example.test': ['v=spf1 +all'],
      },
    });
    const r = await scanSpf('example.test', ctx);
    expect(ids(r.findings)).toContain('spf.included-plus-all');
    expect(r.data.all).toMatchObject({ qualifier: '?' });
    expect(r.data.authorisedNetworks).toEqual([]);
  });

  it('expands %{d} in include targets, and leaves message-dependent macros unevaluated', async () => {
    const ctx = stubContext({
      txt: {
        'example.test': ['v=spf1 include:_spf.%{d} include:%{l}._u.%{d} -all'],
        '_spf.example.test': ['v=spf1 ip4:192.0.2.1 -all'],
      },
    });
    const r = await scanSpf('example.test', ctx);
    expect(r.data.lookups.map((l) => [l.term, l.target, l.result])).toEqual([
      ['include:_spf.%{d}', '_spf.example.test', 'ok'],
      ['include:%{l}._u.%{d}', undefined, 'not-evaluated'],
    ]);
    // The second include costs 1, plus whatever its record costs: the count is a lower bound.
    expect(r.data.lookupCountExact).toBe(false);
    expect(r.status).toBe('completed');
    expect(ids(r.findings)).toEqual([]);
    expect(r.data.notFlattened).toMatchObject([{ term: 'include:%{l}._u.%{d}' }]);
  });

  it('stops following includes after its own budget, and says the count is a lower bound', async () => {
    const txt: Record<string, string[]> = {};
    for (let i = 0; i < 30; i++) {
      txt[`n${i}.example.test`] = [`v=spf1 include:n${i + 1}.example.test a:h.example.test -all`];
    }
    txt['example.test'] = ['v=spf1 include:n0.example.test -all'];
    const ctx = stubContext({ txt, a: { 'h.example.test': ['192.0.2.1'] } });
    const r = await scanSpf('example.test', ctx, { maxCountedLookups: 20 });
    expect(r.data.lookupCount).toBe(20);
    expect(r.data.lookupCountExact).toBe(false);
    expect(ids(r.findings)).toEqual(['spf.too-many-lookups']);
    expect(r.findings[0]!.message).toContain('at least 20');
  });

  it('a timeout inside the tree: the rest is still reported, status unknown', async () => {
    const ctx = stubContext({
      txt: { 'example.test': ['v=spf1 a:slow.example.test a:gone.example.test ptr -all'] },
      timeout: ['slow.example.test'],
    });
    const r = await scanSpf('example.test', ctx);
    expect(r.status).toBe('unknown');
    expect(r.undetermined).toEqual([
      { name: 'slow.example.test', type: 'A', code: 'ETIMEOUT' },
      { name: 'slow.example.test', type: 'AAAA', code: 'ETIMEOUT' },
    ]);
    expect(r.data.lookups.map((l) => l.result)).toEqual(['unknown', 'void', 'not-evaluated']);
    // Certain: one void lookup and the ptr; not certain: validity and the final verdict.
    expect(ids(r.findings)).toEqual(['spf.ptr-mechanism', 'spf.void-lookups']);
  });

  it('a redirect loop, and an include of a domain with two SPF records', async () => {
    const ctx = stubContext({
      txt: {
        'example.test': ['v=spf1 include:two.example.test redirect=r.example.test'],
        'r.example.test': ['v=spf1 redirect=example.test'],
        'two.example.test': ['v=spf1 -all', 'v=spf1 ~all'],
      },
    });
    const r = await scanSpf('example.test', ctx);
    expect(ids(r.findings)).toEqual([
      'spf.include-loop',
      'spf.include-missing',
      'spf.multiple-records',
      'spf.redirect',
    ]);
    expect(r.data.tree!.children.map((c) => [c.domain, c.status])).toEqual([
      ['two.example.test', 'multiple'],
      ['r.example.test', 'ok'],
    ]);
  });

  it('a null MX names no host, but is an answer, not a void lookup', async () => {
    const ctx = stubContext({
      txt: { 'example.test': ['v=spf1 mx -all'] },
      mx: { 'example.test': [''] },
    });
    const r = await scanSpf('example.test', ctx);
    expect(r.data.lookups[0]).toMatchObject({ result: 'ok', mxHosts: [] });
    expect(r.data.voidLookupCount).toBe(0);
  });

  it('emits only catalogue ids', async () => {
    const ctx = stubContext({
      txt: { 'example.test': ['v=spf1 ipv4:192.0.2.1 ip4:192.0.2.1/33 exists:%{z}.x.test ?all'] },
    });
    const r = await scanSpf('example.test', ctx);
    expect(ids(r.findings)).toEqual([
      'spf.invalid-cidr',
      'spf.invalid-macro',
      'spf.neutral-all',
      'spf.syntax-error',
    ]);
    for (const f of r.findings) expect(SpfFindings[f.id]?.severity).toBe(f.severity);
  });
});
