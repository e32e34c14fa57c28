import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZoneFileError, type Zone } from './zone-file';
import { loadZoneDir, loadZoneFile } from './zones';

const LAB_ZONES = join(__dirname, '..', 'zones');

/** [type, data] pairs at `name`, sorted, for compact assertions. */
function at(zone: Zone, name: string): [string, unknown][] {
  return zone.records
    .filter((r) => r.name === name)
    .map((r): [string, unknown] => [r.type, r.data])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

describe('lab zones', () => {
  let zones: Map<string, Zone>;
  beforeAll(async () => {
    zones = new Map((await loadZoneDir(LAB_ZONES)).map((z) => [z.origin, z]));
  });

  it('loads every posture, each zone under perimeter.test', () => {
    expect([...zones.keys()]).toEqual(
      expect.arrayContaining([
        'good.perimeter.test',
        'longtxt.perimeter.test',
        'mixed.perimeter.test',
        'nomail.perimeter.test',
        'private.perimeter.test',
      ]),
    );
    for (const origin of zones.keys()) expect(origin).toMatch(/\.perimeter\.test$/);
  });

  it('good: NS, A, AAAA, www CNAME, MX, SPF, DMARC and CAA', () => {
    const good = zones.get('good.perimeter.test')!;
    expect(at(good, 'good.perimeter.test').filter(([type]) => type !== 'SOA')).toEqual([
      ['A', '127.0.10.1'],
      ['AAAA', '::1'],
      ['CAA', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
      ['MX', { preference: 10, exchange: 'mail.good.perimeter.test' }],
      ['NS', 'ns1.good.perimeter.test'],
      ['NS', 'ns2.good.perimeter.test'],
      ['TXT', ['v=spf1 mx -all']],
    ]);
    expect(at(good, 'www.good.perimeter.test')).toEqual([['CNAME', 'good.perimeter.test']]);
    expect(at(good, 'mail.good.perimeter.test')).toEqual([['A', '127.0.10.2']]);
    expect(at(good, '_dmarc.good.perimeter.test')).toEqual([
      ['TXT', ['v=DMARC1; p=reject; rua=mailto:dmarc@good.perimeter.test']],
    ]);
    expect(at(good, 'ns1.good.perimeter.test')).toHaveLength(1);
    expect(at(good, 'ns2.good.perimeter.test')).toHaveLength(1);
  });

  it('nomail: no MX and no TXT anywhere', () => {
    const types = new Set(zones.get('nomail.perimeter.test')!.records.map((r) => r.type));
    expect([...types].sort()).toEqual(['A', 'NS', 'SOA']);
  });

  it('private and mixed: the addresses the target guard must judge', () => {
    const address = (origin: string) =>
      at(zones.get(origin)!, origin).filter(([type]) => type === 'A' || type === 'AAAA');
    expect(address('private.perimeter.test')).toEqual([
      ['A', '10.0.0.5'],
      ['A', '192.168.1.10'],
      ['AAAA', 'fd00::1'],
    ]);
    expect(address('mixed.perimeter.test')).toEqual([
      ['A', '10.0.0.7'],
      ['A', '93.184.216.34'],
    ]);
  });

  it('longtxt: a 400-byte value in three strings, and many records at the apex', () => {
    const zone = zones.get('longtxt.perimeter.test')!;
    const [[, long]] = at(zone, 'long.longtxt.perimeter.test') as [[string, string[]]];
    expect(long.map((s) => s.length)).toEqual([200, 150, 50]);
    const bulk = zone.records.filter((r) => r.name === zone.origin && r.type === 'TXT');
    expect(bulk).toHaveLength(30);
  });
});

describe('loadZoneFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-zones-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the origin from the file name when there is no $ORIGIN', async () => {
    const path = join(dir, 'fromname.test.zone');
    await writeFile(path, '$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n');
    const zone = await loadZoneFile(path);
    expect(zone.origin).toBe('fromname.test');
    expect(zone.source).toBe(path);
    expect(zone.records[1]).toMatchObject({ name: 'www.fromname.test' });
  });

  it('prefers $ORIGIN over the file name', async () => {
    const path = join(dir, 'whatever.zone');
    await writeFile(path, '$ORIGIN real.test.\n$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\n');
    expect((await loadZoneFile(path)).origin).toBe('real.test');
  });

  it('reports errors with the path and line', async () => {
    const path = join(dir, 'broken.test.zone');
    await writeFile(path, '$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\nwww A 999.0.0.1\n');
    await expect(loadZoneFile(path)).rejects.toThrow(ZoneFileError);
    await expect(loadZoneFile(path)).rejects.toMatchObject({ fileName: path, line: 3 });
  });

  it('loadZoneDir reads only *.zone files', async () => {
    const sub = await mkdtemp(join(dir, 'only-'));
    await writeFile(join(sub, 'a.test.zone'), '$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\n');
    await writeFile(join(sub, 'README.md'), 'not a zone');
    expect((await loadZoneDir(sub)).map((z) => z.origin)).toEqual(['a.test']);
  });
});
