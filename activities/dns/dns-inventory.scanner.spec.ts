import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { freePort } from '../../libs/embedded/process-utils';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import { resolveTarget } from '../../libs/net/target-guard';
import { TargetNotAllowed } from '../../libs/net/errors';
import { scanDnsInventory } from './dns-inventory.scanner';

describe('DNS inventory scanner, against the lab DNS server', () => {
  let lab: Lab;
  const resolver = () =>
    createScannerResolver({ servers: lab.resolvers, timeoutMs: 1000, tries: 1 });

  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(() => lab?.close());

  it('collects A, AAAA, NS, MX, TXT, CAA and SOA from the configured server', async () => {
    const sut = await scanDnsInventory('good.perimeter.test', resolver(), {
      allowPrivateTargets: true,
    });
    expect(sut).toMatchObject({ domain: 'good.perimeter.test', exists: true, complete: true });
    expect(sut.resolvers).toEqual(lab.resolvers);
    expect(sut.records.A).toEqual({ status: 'ok', records: [{ address: '127.0.10.1', ttl: 300 }] });
    expect(sut.records.AAAA).toEqual({ status: 'ok', records: [{ address: '::1', ttl: 300 }] });
    expect(sut.records.NS.records.sort()).toEqual([
      'ns1.good.perimeter.test',
      'ns2.good.perimeter.test',
    ]);
    expect(sut.records.MX.records).toEqual([
      { exchange: 'mail.good.perimeter.test', priority: 10 },
    ]);
    expect(sut.records.TXT.records).toEqual([
      { value: 'v=spf1 mx -all', strings: ['v=spf1 mx -all'] },
    ]);
    expect(sut.records.CAA.records).toEqual([
      { critical: 0, tag: 'issue', value: 'letsencrypt.org' },
    ]);
    expect(sut.records.SOA.records[0]).toMatchObject({ nsname: 'ns1.good.perimeter.test' });
  });

  it('joins a TXT record split into several strings, keeping the parts', async () => {
    const sut = await scanDnsInventory('long.longtxt.perimeter.test', resolver(), {
      allowPrivateTargets: true,
    });
    const [txt] = sut.records.TXT.records;
    expect(txt.value).toHaveLength(400);
    expect(txt.strings.map((s) => s.length)).toEqual([200, 150, 50]);
  });

  it('gets answers too large for UDP in full (TCP fallback)', async () => {
    const sut = await scanDnsInventory('longtxt.perimeter.test', resolver(), {
      allowPrivateTargets: true,
    });
    expect(sut.records.TXT.records).toHaveLength(30);
  });

  it('tells "no such record" from "no such name"', async () => {
    const nomail = await scanDnsInventory('nomail.perimeter.test', resolver(), {
      allowPrivateTargets: true,
    });
    expect(nomail.records.MX).toEqual({ status: 'nodata', records: [] });
    expect(nomail.exists).toBe(true);
    const missing = await scanDnsInventory('nope.nomail.perimeter.test', resolver(), {
      allowPrivateTargets: true,
    });
    expect(missing.exists).toBe(false);
    expect(Object.values(missing.records).every((r) => r.status === 'nxdomain')).toBe(true);
  });

  it('reports a silent server as unknown, never as a finding', async () => {
    // A port nobody listens on: every query times out or is refused.
    const silent = createScannerResolver({
      servers: [`127.0.0.1:${await freePort()}`],
      timeoutMs: 300,
      tries: 1,
    });
    const sut = await scanDnsInventory('good.perimeter.test', silent, {
      allowPrivateTargets: true,
    });
    expect(sut.complete).toBe(false);
    expect(sut.exists).toBeNull();
    expect(sut.records.A.status).toBe('unknown');
    expect(sut.records.A.error?.code).toMatch(/^E[A-Z]+$/);
    expect(sut.reachability.verdict).toBe('unknown');
  });

  describe('target guard through the scanners resolver', () => {
    it('refuses a name that resolves only to private addresses', async () => {
      const sut = await scanDnsInventory('private.perimeter.test', resolver(), {
        allowPrivateTargets: false,
      });
      expect(sut.reachability.verdict).toBe('refused');
      expect(sut.reachability.refused.map((r) => r.address).sort()).toEqual([
        '10.0.0.5',
        '192.168.1.10',
        'fd00::1',
      ]);
      await expect(
        resolveTarget('private.perimeter.test', resolver(), { allowPrivateTargets: false }),
      ).rejects.toBeInstanceOf(TargetNotAllowed);
    });

    it('keeps only the public address of a mixed name', async () => {
      const sut = await resolveTarget('mixed.perimeter.test', resolver(), {
        allowPrivateTargets: false,
      });
      expect(sut.allowed).toEqual(['93.184.216.34']);
      expect(sut.refused).toEqual([{ address: '10.0.0.7', range: 'private' }]);
    });

    it('allows lab (loopback) targets only when configured to', async () => {
      const refused = await scanDnsInventory('good.perimeter.test', resolver(), {
        allowPrivateTargets: false,
      });
      expect(refused.reachability.verdict).toBe('refused');
      const allowed = await scanDnsInventory('good.perimeter.test', resolver(), {
        allowPrivateTargets: true,
      });
      expect(allowed.reachability).toEqual({
        verdict: 'allowed',
        allowed: ['127.0.10.1', '::1'],
        refused: [],
      });
    });
  });
});
