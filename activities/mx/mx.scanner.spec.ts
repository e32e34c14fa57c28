import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { MxFindings } from './mx.findings';
import { scanMx, type MxData } from './mx.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string, over: Partial<CheckContext> = {}) {
  const report = await scanMx(domain, { ...ctx, ...over });
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<MxData>) => r.findings.map((f) => f.id).sort();

describe('scanMx against the lab', () => {
  it('mx-good: two hosts, both resolving', async () => {
    const r = await scan('mx-good.perimeter.test');
    expect(r).toMatchObject({ check: 'mx', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['mx.valid']);
    expect(r.data.hosts).toEqual([
      {
        exchange: 'mx1.mx-good.perimeter.test',
        priority: 10,
        cname: null,
        ipLiteral: false,
        ipv4: ['127.0.23.3'],
        ipv6: ['::ffff:127.0.23.3'],
        status: 'resolves',
      },
      {
        exchange: 'mx2.mx-good.perimeter.test',
        priority: 20,
        cname: null,
        ipLiteral: false,
        ipv4: ['127.0.23.4'],
        ipv6: [],
        status: 'resolves',
      },
    ]);
    expect(r.data.nullMx).toBe(false);
  });

  it('mx-good without ALLOW_PRIVATE_TARGETS: hosts only reach loopback', async () => {
    const r = await scan('mx-good.perimeter.test', { allowPrivateTargets: false });
    expect(ids(r)).toEqual(['mx.host-non-public-address', 'mx.host-non-public-address']);
  });

  it('mx-null: accepts no mail, on purpose', async () => {
    const r = await scan('mx-null.perimeter.test');
    expect(ids(r)).toEqual(['mx.null-mx']);
    expect(r.data).toMatchObject({
      nullMx: true,
      hosts: [],
      records: [{ exchange: '', priority: 0 }],
    });
  });

  it('mx-null-mixed: null MX next to a real one', async () => {
    const r = await scan('mx-null-mixed.perimeter.test');
    expect(ids(r)).toEqual(['mx.null-mx-mixed']);
    expect(r.data.hosts).toMatchObject([{ exchange: 'mail.mx-null-mixed.perimeter.test' }]);
  });

  it('mx-no-address: a host without address, a host that does not exist', async () => {
    const r = await scan('mx-no-address.perimeter.test');
    expect(ids(r)).toEqual(['mx.host-no-address', 'mx.host-no-address']);
    expect(r.data.hosts.map((h) => [h.exchange, h.status])).toEqual([
      ['mail.mx-no-address.perimeter.test', 'resolves'],
      ['noaddr.mx-no-address.perimeter.test', 'no-address'],
      ['missing.mx-no-address.perimeter.test', 'no-address'],
    ]);
  });

  it('mx-cname: the host is an alias', async () => {
    const r = await scan('mx-cname.perimeter.test');
    expect(ids(r)).toEqual(['mx.host-cname']);
    expect(r.data.hosts).toMatchObject([
      { cname: 'real-mail.mx-cname.perimeter.test', ipv4: ['127.0.23.43'], status: 'resolves' },
    ]);
  });

  it('mx-ip-literal: the target is an address', async () => {
    const r = await scan('mx-ip-literal.perimeter.test');
    expect(ids(r)).toEqual(['mx.host-ip-literal']);
    expect(r.data.hosts).toMatchObject([{ exchange: '192.0.2.1', ipLiteral: true }]);
  });

  it('mx-none: implicit MX to the A record', async () => {
    const r = await scan('mx-none.perimeter.test');
    expect(ids(r)).toEqual(['mx.none-implicit']);
    expect(r.data.implicitMx).toEqual({ ipv4: ['127.0.23.61'], ipv6: [] });
  });

  it('mx-none-no-a: receives no mail', async () => {
    const r = await scan('mx-none-no-a.perimeter.test');
    expect(ids(r)).toEqual(['mx.none-no-mail']);
    expect(r.data.implicitMx).toBeNull();
  });

  it('a name that does not exist receives no mail', async () => {
    const r = await scan('nope.mx-none.perimeter.test');
    expect(ids(r)).toEqual(['mx.none-no-mail']);
    expect(r.findings[0]!.message).toMatch(/does not exist/);
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanMx('mx-good.perimeter.test', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      { name: 'mx-good.perimeter.test', type: 'MX', code: expect.any(String) },
    ]);
  });
});

describeCatalogue('mx', MxFindings, emitted);
