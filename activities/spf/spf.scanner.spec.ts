import * as dgram from 'node:dgram';
import type { promises as dns } from 'node:dns';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import type { SpfData } from './spf-data';
import { parseServer, querySpfRrType } from './spf-rr-type';
import { SpfFindings } from './spf.findings';
import { scanSpf } from './spf.scanner';

let lab: Lab;
let ctx: CheckContext;
/** Every finding any test produced, checked against the catalogue at the end. */
const emitted: Finding[] = [];

beforeAll(async () => {
  lab = await startLab();
  const resolver = createScannerResolver({ servers: lab.resolvers, timeoutMs: 1000, tries: 1 });
  ctx = { resolver, extraPublicSuffixes: ['perimeter.test'], allowPrivateTargets: true };
});

afterAll(async () => {
  await lab?.close();
});

async function scan(posture: string, context = ctx): Promise<CheckReport<SpfData>> {
  const report = await scanSpf(`${posture}.perimeter.test`, context);
  emitted.push(...report.findings);
  return report;
}

const ids = (report: CheckReport<SpfData>) => report.findings.map((f) => f.id).sort();
const find = (report: CheckReport<SpfData>, id: string) => report.findings.find((f) => f.id === id);
/** [index, depth, record, term, result] with the lab suffix dropped, for compact assertions. */
const spent = (report: CheckReport<SpfData>) =>
  report.data.lookups.map((l) => [
    l.index,
    l.depth,
    l.domain.replace(/\.?spf-[a-z-]+\.perimeter\.test$/, '') || '@',
    l.term.replace(/\.spf-[a-z-]+\.perimeter\.test/, ''),
    l.result,
  ]);

describe('scanSpf against the lab', () => {
  it('spf-good: valid, -all, three lookups and the flattened networks', async () => {
    const r = await scan('spf-good');
    expect(r.status).toBe('completed');
    expect(r.undetermined).toEqual([]);
    expect(ids(r)).toEqual(['spf.hard-fail', 'spf.lookups-within-limit', 'spf.valid']);
    expect(r.data.record).toBe(
      'v=spf1 mx ip4:127.0.20.0/28 include:_spf.spf-good.perimeter.test -all',
    );
    expect(r.data.terms.map((t) => t.kind === 'mechanism' && [t.qualifier, t.mechanism])).toEqual([
      ['+', 'mx'],
      ['+', 'ip4'],
      ['+', 'include'],
      ['-', 'all'],
    ]);
    expect(r.data.lookupCount).toBe(3);
    expect(r.data.lookupCountExact).toBe(true);
    expect(r.data.voidLookupCount).toBe(0);
    expect(spent(r)).toEqual([
      [1, 0, '@', 'mx', 'ok'],
      [2, 0, '@', 'include:_spf', 'ok'],
      [3, 1, '_spf', 'a:relay', 'ok'],
    ]);
    expect(r.data.lookups[0]!.mxHosts).toEqual([
      {
        host: 'mail.spf-good.perimeter.test',
        result: 'ok',
        addresses: ['127.0.20.40', 'fd00:20::25'],
      },
    ]);
    // mail's AAAA (fd00:20::25/128) is inside the included fd00:20::/48, so it is folded in.
    expect(r.data.authorisedNetworks).toEqual([
      '127.0.20.0/28',
      '127.0.20.16/28',
      '127.0.20.40/32',
      '127.0.20.41/32',
      'fd00:20::/48',
    ]);
    expect(r.data.otherNetworks).toEqual([]);
    expect(r.data.all).toEqual({
      qualifier: '-',
      domain: 'spf-good.perimeter.test',
      term: '-all',
    });
    expect(r.data.tree).toMatchObject({
      domain: 'spf-good.perimeter.test',
      depth: 0,
      status: 'ok',
      lookupCount: 3,
      children: [
        {
          domain: '_spf.spf-good.perimeter.test',
          depth: 1,
          via: 'include:_spf.spf-good.perimeter.test',
          status: 'ok',
          lookupCount: 1,
          children: [],
        },
      ],
    });
    // The lab has no type-99 records: the raw query gets a definite "no data".
    expect(r.data.spfRrType).toEqual({ status: 'nodata', records: [] });
  });

  it('spf-none: no SPF record among the TXT records', async () => {
    const r = await scan('spf-none');
    expect(ids(r)).toEqual(['spf.missing']);
    expect(r.data.records).toEqual([]);
    expect(r.status).toBe('completed');
  });

  it('spf-multiple: two records are a permerror', async () => {
    const r = await scan('spf-multiple');
    expect(ids(r)).toEqual(['spf.multiple-records']);
    expect(r.data.records).toHaveLength(2);
    expect(r.data.record).toBeUndefined();
  });

  it('spf-plus-all: every address is authorised', async () => {
    const r = await scan('spf-plus-all');
    expect(ids(r)).toEqual(['spf.lookups-within-limit', 'spf.plus-all', 'spf.valid']);
    expect(r.data.authorisedNetworks).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('spf-neutral-all: ?all', async () => {
    expect(ids(await scan('spf-neutral-all'))).toEqual([
      'spf.lookups-within-limit',
      'spf.neutral-all',
      'spf.valid',
    ]);
  });

  it('spf-softfail: ~all', async () => {
    expect(ids(await scan('spf-softfail'))).toEqual([
      'spf.lookups-within-limit',
      'spf.soft-fail',
      'spf.valid',
    ]);
  });

  it('spf-no-all: neither all nor redirect', async () => {
    const r = await scan('spf-no-all');
    expect(ids(r)).toEqual(['spf.lookups-within-limit', 'spf.missing-all', 'spf.valid']);
    expect(r.data.all).toBeUndefined();
  });

  it('spf-all-not-last: terms after -all are reported, not evaluated, not counted', async () => {
    const r = await scan('spf-all-not-last');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.terms-after-all',
      'spf.valid',
    ]);
    expect(find(r, 'spf.terms-after-all')!.evidence).toMatchObject({
      all: '-all',
      unreached: ['ip4:127.0.20.2', 'a'],
    });
    expect(r.data.lookupCount).toBe(0);
    expect(r.data.authorisedNetworks).toEqual(['127.0.20.1/32']);
  });

  it('spf-ptr: deprecated, costs a lookup that cannot be evaluated statically', async () => {
    const r = await scan('spf-ptr');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.ptr-mechanism',
      'spf.valid',
    ]);
    expect(spent(r)).toEqual([[1, 0, '@', 'ptr', 'not-evaluated']]);
    expect(r.data.notFlattened).toMatchObject([{ term: 'ptr' }]);
  });

  it('spf-ten-lookups: exactly 10 is allowed, with a note', async () => {
    const r = await scan('spf-ten-lookups');
    expect(ids(r)).toEqual(['spf.hard-fail', 'spf.lookups-at-limit', 'spf.valid']);
    expect(r.data.lookupCount).toBe(10);
    expect(spent(r)).toEqual([
      [1, 0, '@', 'a', 'ok'],
      [2, 0, '@', 'mx', 'ok'],
      [3, 0, '@', 'include:_a', 'ok'],
      [4, 1, '_a', 'a:h1', 'ok'],
      [5, 1, '_a', 'a:h2', 'ok'],
      [6, 1, '_a', 'mx:spf-ten-lookups.perimeter.test', 'ok'],
      [7, 0, '@', 'include:_b', 'ok'],
      [8, 1, '_b', 'include:_c', 'ok'],
      [9, 2, '_c', 'a:h3', 'ok'],
      [10, 0, '@', 'exists:%{i}._spf', 'not-evaluated'],
    ]);
    expect(r.data.lookups.every((l) => l.counts === 1)).toBe(true);
  });

  it('spf-eleven-lookups: the 11th lookup is named, with the tree as evidence', async () => {
    const r = await scan('spf-eleven-lookups');
    expect(ids(r)).toEqual(['spf.too-many-lookups']);
    expect(r.status).toBe('completed');
    expect(r.data.lookupCount).toBe(11);
    expect(spent(r).slice(8)).toEqual([
      [9, 2, '_c', 'a:h3', 'ok'],
      [10, 2, '_c', 'a:h4', 'ok'],
      [11, 0, '@', 'exists:%{i}._spf', 'not-evaluated'],
    ]);
    const finding = find(r, 'spf.too-many-lookups')!;
    expect(finding.severity).toBe('fail');
    expect(finding.message).toContain('takes 11 DNS lookups (limit 10)');
    expect(finding.message).toContain(
      'the 11th, "exists:%{i}._spf.spf-eleven-lookups.perimeter.test"',
    );
    expect(finding.evidence).toMatchObject({
      lookupCount: 11,
      limit: 10,
      exact: true,
      exceededAt: { index: 11, depth: 0 },
      byTerm: [
        { term: 'a', lookups: 1 },
        { term: 'mx', lookups: 1 },
        { term: 'include:_a.spf-eleven-lookups.perimeter.test', lookups: 4 },
        { term: 'include:_b.spf-eleven-lookups.perimeter.test', lookups: 4 },
        { term: 'exists:%{i}._spf.spf-eleven-lookups.perimeter.test', lookups: 1 },
      ],
    });
    expect((finding.evidence!.tree as string[]).slice(0, 4)).toEqual([
      'spf-eleven-lookups.perimeter.test: 11 lookups',
      '  #1 a (1)',
      '  #2 mx (1)',
      '  #3 include:_a.spf-eleven-lookups.perimeter.test (1, +3 inside)',
    ]);
  });

  it('spf-two-void: two void lookups are allowed, but reported', async () => {
    const r = await scan('spf-two-void');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.valid',
      'spf.void-lookups',
    ]);
    expect(r.data.voidLookupCount).toBe(2);
    expect(spent(r)).toEqual([
      [1, 0, '@', 'a:gone', 'void'], // NXDOMAIN
      [2, 0, '@', 'mx:nomail', 'void'], // the name exists, without MX
    ]);
  });

  it('spf-three-void: the third void lookup is a permerror', async () => {
    const r = await scan('spf-three-void');
    expect(ids(r)).toEqual(['spf.too-many-void-lookups']);
    expect(r.data.voidLookupCount).toBe(3);
    expect(find(r, 'spf.too-many-void-lookups')!.evidence).toMatchObject({
      voidLookupCount: 3,
      limit: 2,
      voidLookups: [
        { term: 'a:gone1.spf-three-void.perimeter.test' },
        { term: 'a:gone2.spf-three-void.perimeter.test' },
        { term: 'exists:gone3.spf-three-void.perimeter.test' },
      ],
    });
  });

  it('spf-loop: the include back to the apex is reported and not followed', async () => {
    const r = await scan('spf-loop');
    expect(ids(r)).toEqual(['spf.include-loop']);
    expect(find(r, 'spf.include-loop')!.evidence).toMatchObject({
      chain: ['spf-loop.perimeter.test', '_spf.spf-loop.perimeter.test', 'spf-loop.perimeter.test'],
    });
    expect(r.data.lookupCount).toBe(2);
    expect(r.data.lookupCountExact).toBe(false);
    expect(r.data.tree!.children[0]!.children[0]!.status).toBe('loop');
  });

  it('spf-duplicate-include: the same record twice, counted twice', async () => {
    const r = await scan('spf-duplicate-include');
    expect(ids(r)).toEqual([
      'spf.duplicate-include',
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.valid',
    ]);
    expect(spent(r)).toEqual([
      [1, 0, '@', 'include:_a', 'ok'],
      [2, 0, '@', 'include:_b', 'ok'],
      [3, 1, '_b', 'include:_a', 'ok'],
    ]);
    expect(r.data.authorisedNetworks).toEqual(['127.0.20.1/32', '127.0.20.2/32']);
  });

  it('spf-redirect: the target decides, and its lookups count', async () => {
    const r = await scan('spf-redirect');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.redirect',
      'spf.valid',
    ]);
    expect(spent(r)).toEqual([[1, 0, '@', 'redirect=_spf', 'ok']]);
    expect(r.data.all).toEqual({
      qualifier: '-',
      domain: '_spf.spf-redirect.perimeter.test',
      term: '-all',
    });
    expect(r.data.authorisedNetworks).toEqual(['127.0.20.0/24']);
  });

  it('spf-redirect-with-all: the redirect is ignored and not counted', async () => {
    const r = await scan('spf-redirect-with-all');
    expect(ids(r)).toEqual([
      'spf.lookups-within-limit',
      'spf.redirect-ignored',
      'spf.soft-fail',
      'spf.valid',
    ]);
    expect(r.data.lookupCount).toBe(0);
    expect(r.data.authorisedNetworks).toEqual(['127.0.20.1/32']);
  });

  it('spf-redirect-missing: redirect to a name that does not exist', async () => {
    const r = await scan('spf-redirect-missing');
    expect(ids(r)).toEqual(['spf.redirect-missing', 'spf.void-lookups']);
    expect(spent(r)).toEqual([[1, 0, '@', 'redirect=_spf', 'void']]);
  });

  it('spf-include-missing: include of a name without SPF is a permerror', async () => {
    const r = await scan('spf-include-missing');
    expect(ids(r)).toEqual(['spf.include-missing']);
    expect(find(r, 'spf.include-missing')!.message).toContain('publishes no SPF record');
    expect(r.data.tree!.children[0]!.status).toBe('no-spf');
  });

  it('spf-mx-eleven-hosts: more than 10 MX hosts for one mx term', async () => {
    const r = await scan('spf-mx-eleven-hosts');
    expect(ids(r)).toEqual(['spf.mx-too-many-hosts']);
    expect(r.data.lookupCount).toBe(1);
    expect(r.data.lookups[0]!.mxHosts).toHaveLength(11);
    expect(r.data.authorisedNetworks).toHaveLength(11);
  });

  it('spf-mx-host-no-address: an MX host without A or AAAA', async () => {
    const r = await scan('spf-mx-host-no-address');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.mx-host-without-address',
      'spf.valid',
    ]);
    expect(r.data.lookups[0]!.mxHosts!.map((h) => [h.host, h.result])).toEqual([
      ['mail.spf-mx-host-no-address.perimeter.test', 'ok'],
      ['ghost.spf-mx-host-no-address.perimeter.test', 'void'],
    ]);
  });

  it('spf-bad-macro: the finding names the term and the macro', async () => {
    const r = await scan('spf-bad-macro');
    expect(ids(r)).toEqual(['spf.invalid-macro']);
    expect(find(r, 'spf.invalid-macro')!.message).toContain(
      '"exists:%{x}.spf-bad-macro.perimeter.test": "%{x}": "x" is not a macro letter',
    );
  });

  it('spf-macro-in-ip4', async () => {
    const r = await scan('spf-macro-in-ip4');
    expect(ids(r)).toEqual(['spf.macro-in-ip']);
    expect(find(r, 'spf.macro-in-ip')!.evidence).toMatchObject({ term: 'ip4:%{i}' });
  });

  it('spf-bad-cidr: each bad prefix is its own finding', async () => {
    const r = await scan('spf-bad-cidr');
    expect(ids(r)).toEqual(['spf.invalid-cidr', 'spf.invalid-cidr']);
    expect(r.findings.map((f) => f.evidence!.term)).toEqual(['ip4:127.0.20.0/33', 'a/40']);
  });

  it('spf-long-string: a record in several strings, over 512 bytes of answer', async () => {
    const r = await scan('spf-long-string');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.record-too-large-for-udp',
      'spf.valid',
    ]);
    expect(r.data.records[0]!.strings.length).toBeGreaterThan(1);
    expect(r.data.records[0]!.strings.every((s) => s.length <= 255)).toBe(true);
    expect(r.data.txtResponseBytes).toBeGreaterThan(512);
    expect(r.data.authorisedNetworks).toHaveLength(40);
  });

  it('spf-split-no-space: a term glued across two strings is explained', async () => {
    const r = await scan('spf-split-no-space');
    expect(ids(r)).toEqual(['spf.syntax-error']);
    const finding = find(r, 'spf.syntax-error')!;
    expect(finding.evidence).toMatchObject({
      term: 'ip4:127.0.20.1include:_spf.spf-split-no-space.perimeter.test',
      spansStrings: true,
    });
    expect(finding.message).toContain('DNS joins the strings with no space');
  });

  it('spf-exp: the explanation is read, not counted', async () => {
    const r = await scan('spf-exp');
    expect(ids(r)).toEqual([
      'spf.exp-modifier',
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.valid',
    ]);
    expect(r.data.lookupCount).toBe(0);
    expect(r.data.explanation).toEqual({
      domain: 'explain.spf-exp.perimeter.test',
      status: 'ok',
      text: '%{i} is not one of the mail servers of %{d}',
    });
  });

  it('spf-duplicate-exp: two exp= modifiers', async () => {
    expect(ids(await scan('spf-duplicate-exp'))).toEqual([
      'spf.duplicate-modifier',
      'spf.exp-modifier',
    ]);
  });

  it('spf-unknown-modifier: ignored, and said so', async () => {
    expect(ids(await scan('spf-unknown-modifier'))).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.unknown-modifier',
      'spf.valid',
    ]);
  });

  it('spf-include-equals: "include=" is an ignored modifier, probably a typo', async () => {
    const r = await scan('spf-include-equals');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.mechanism-written-as-modifier',
      'spf.valid',
    ]);
    expect(r.data.lookupCount).toBe(0);
  });

  it('spf-lookalike: a record with leading whitespace is not SPF', async () => {
    const r = await scan('spf-lookalike');
    expect(ids(r)).toEqual(['spf.malformed-version', 'spf.missing']);
    expect(find(r, 'spf.malformed-version')!.message).toContain('starts with whitespace');
  });

  it('spf-sender-id: the obsolete spf2.0 record is noted', async () => {
    expect(ids(await scan('spf-sender-id'))).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.sender-id-record',
      'spf.valid',
    ]);
  });

  it('spf-include-plus-all: an included +all decides before the apex -all', async () => {
    const r = await scan('spf-include-plus-all');
    expect(ids(r)).toEqual(['spf.included-plus-all', 'spf.lookups-within-limit', 'spf.valid']);
    expect(r.data.all).toMatchObject({ qualifier: '+', term: '+all' });
    expect(r.data.authorisedNetworks).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('spf-broad-network: networks as wide as half the internet', async () => {
    const r = await scan('spf-broad-network');
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.overly-broad-network',
      'spf.overly-broad-network',
      'spf.valid',
    ]);
  });
});

describe('scanSpf when answers are missing', () => {
  it('an unanswered include: status unknown, only certain findings, no pass', async () => {
    const r = await scan('spf-include-unreachable');
    expect(r.status).toBe('unknown');
    expect(r.undetermined).toEqual([
      { name: '_spf.unreachable.example', type: 'TXT', code: 'EREFUSED' },
    ]);
    expect(r.findings).toEqual([]);
    expect(spent(r)).toEqual([[1, 0, '@', 'include:_spf.unreachable.example', 'unknown']]);
    expect(r.data.lookupCount).toBe(1);
    expect(r.data.lookupCountExact).toBe(false);
    expect(r.data.tree!.children[0]!.status).toBe('unknown');
  });

  it('over the limit even without the unanswered part: too-many-lookups is certain', async () => {
    const r = await scan('spf-unreachable-over-limit');
    expect(r.status).toBe('unknown');
    expect(ids(r)).toEqual(['spf.too-many-lookups']);
    expect(find(r, 'spf.too-many-lookups')!.message).toContain('at least 13 DNS lookups');
    expect(find(r, 'spf.too-many-lookups')!.evidence).toMatchObject({ exact: false });
  });

  it('a resolver where nothing listens: unknown, no findings', async () => {
    const port = await closedPort();
    const resolver = createScannerResolver({
      servers: [`127.0.0.1:${port}`],
      timeoutMs: 300,
      tries: 1,
    });
    const r = await scanSpf('spf-good.perimeter.test', { ...ctx, resolver });
    emitted.push(...r.findings);
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined.map((u) => [u.name, u.type])).toEqual(
      expect.arrayContaining([
        ['spf-good.perimeter.test', 'TXT'],
        ['spf-good.perimeter.test', 'SPF'],
      ]),
    );
    expect(r.data.record).toBeUndefined();
    expect(r.data.lookupCount).toBe(0);
  });

  it('refuses an invalid domain name', async () => {
    await expect(scanSpf('not a domain', ctx)).rejects.toThrow(/domain/i);
  });
});

describe('findings that need answers the lab cannot serve', () => {
  let fake: FakeDns;
  beforeAll(async () => {
    fake = await startFakeDns();
  });
  afterAll(() => fake?.close());

  it('a TXT string over 255 bytes (only a broken server or stub sends one)', async () => {
    const long = `v=spf1 ${'ip4:192.0.2.1 '.repeat(20)}-all`;
    const resolver = stubResolver({ 'long.test': [[long]] }, []);
    const r = await scanSpf('long.test', { ...ctx, resolver });
    emitted.push(...r.findings);
    expect(ids(r)).toContain('spf.txt-string-too-long');
    expect(find(r, 'spf.txt-string-too-long')!.evidence).toMatchObject({ lengths: [long.length] });
  });

  it('the obsolete type-99 SPF record, asked with a raw query', async () => {
    const resolver = stubResolver({ 'typed.test': [['v=spf1 -all']] }, [fake.address]);
    const r = await scanSpf('typed.test', { ...ctx, resolver });
    emitted.push(...r.findings);
    expect(ids(r)).toEqual([
      'spf.hard-fail',
      'spf.lookups-within-limit',
      'spf.obsolete-spf-rr-type',
      'spf.valid',
    ]);
    expect(r.data.spfRrType).toEqual({ status: 'ok', records: ['v=spf1 -all'] });
    expect(find(r, 'spf.obsolete-spf-rr-type')!.message).toContain('identical to its TXT record');
  });

  it('querySpfRrType: records, no data, NXDOMAIN and no server', async () => {
    expect(await querySpfRrType(fake.address, 'typed.test', 1000)).toEqual({
      status: 'ok',
      records: ['v=spf1 -all'],
    });
    expect(await querySpfRrType(fake.address, 'plain.test', 1000)).toEqual({
      status: 'nodata',
      records: [],
    });
    expect(await querySpfRrType(fake.address, 'missing.test', 1000)).toEqual({
      status: 'nxdomain',
      records: [],
    });
    const dead = await querySpfRrType(`127.0.0.1:${await closedPort()}`, 'typed.test', 300);
    expect(dead.status).toBe('unknown');
  });

  it('parseServer reads every getServers() form', () => {
    expect(parseServer('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(parseServer('192.0.2.1:5353')).toEqual({ host: '192.0.2.1', port: 5353 });
    expect(parseServer('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 53 });
    expect(parseServer('[2001:db8::1]:5353')).toEqual({ host: '2001:db8::1', port: 5353 });
    expect(parseServer('resolver.example')).toBeUndefined();
  });
});

describe('the catalogue', () => {
  it('defines every id a scan emitted, with the same severity', () => {
    expect(emitted.length).toBeGreaterThan(50);
    for (const f of emitted) {
      expect(SpfFindings[f.id], f.id).toBeDefined();
      expect(f.severity, f.id).toBe(SpfFindings[f.id]!.severity);
      expect(f.message.length, f.id).toBeGreaterThan(20);
    }
  });

  it('every entry has a stable id, title, explanation, references, and a fix unless pass', () => {
    for (const [key, def] of Object.entries(SpfFindings)) {
      expect(def.id).toBe(key);
      expect(key).toMatch(/^spf\.[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(def.title.length, key).toBeGreaterThan(5);
      expect(def.explanation.length, key).toBeGreaterThan(40);
      expect(def.references.length, key).toBeGreaterThan(0);
      if (def.severity === 'pass') expect(def.fix, key).toBeUndefined();
      else expect(def.fix?.length ?? 0, key).toBeGreaterThan(10);
    }
  });

  it('the lab postures exercise every catalogue entry', () => {
    const seen = new Set(emitted.map((f) => f.id));
    expect(Object.keys(SpfFindings).filter((id) => !seen.has(id))).toEqual([]);
  });
});

/** A port on which nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A resolver answering TXT from a table (NXDOMAIN otherwise); getServers() as given. */
function stubResolver(txt: Record<string, string[][]>, servers: string[]): dns.Resolver {
  const nxdomain = () =>
    Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  return {
    resolveTxt: (name: string) => (txt[name] ? Promise.resolve(txt[name]) : nxdomain()),
    resolve4: nxdomain,
    resolve6: nxdomain,
    resolveMx: nxdomain,
    getServers: () => servers,
  } as unknown as dns.Resolver;
}

interface FakeDns {
  address: string;
  close(): void;
}

/** A UDP server with one type-99 record at typed.test, and plain.test with none. */
async function startFakeDns(): Promise<FakeDns> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    const question = query.questions![0]!;
    const known = ['typed.test', 'plain.test'].includes(question.name);
    const value = Buffer.from('v=spf1 -all');
    const answers =
      question.name === 'typed.test' && (question.type as string) === 'SPF'
        ? [
            {
              type: 'SPF',
              name: question.name,
              ttl: 60,
              data: Buffer.concat([Buffer.from([value.length]), value]),
            } as unknown as dnsPacket.Answer,
          ]
        : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3), // rcode 3: NXDOMAIN
      questions: query.questions,
      answers,
    });
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}
