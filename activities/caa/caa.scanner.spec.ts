import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { CaaFindings } from './caa.findings';
import { caaFindings, scanCaa, type CaaData } from './caa.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string) {
  const report = await scanCaa(domain, ctx);
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<CaaData>) => r.findings.map((f) => f.id).sort();

describe('scanCaa against the lab', () => {
  it('caa-good: Let’s Encrypt only, with iodef', async () => {
    const r = await scan('caa-good.perimeter.test');
    expect(r).toMatchObject({ check: 'caa', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['caa.restricted']);
    expect(r.data).toMatchObject({
      effectiveFrom: 'caa-good.perimeter.test',
      issuers: ['letsencrypt.org'],
      wildcardIssuers: ['letsencrypt.org'],
      iodef: ['mailto:security@caa-good.perimeter.test'],
    });
  });

  it('www.caa-good: inherits the apex policy', async () => {
    const r = await scan('www.caa-good.perimeter.test');
    expect(ids(r)).toEqual(['caa.inherited', 'caa.restricted']);
    expect(r.data.effectiveFrom).toBe('caa-good.perimeter.test');
    expect(r.data.checkedNames).toEqual(['www.caa-good.perimeter.test', 'caa-good.perimeter.test']);
  });

  it('caa-inherited: shop inherits issue, issuewild with parameters, and an https iodef', async () => {
    const r = await scan('shop.caa-inherited.perimeter.test');
    expect(ids(r)).toEqual(['caa.inherited', 'caa.restricted']);
    expect(r.data).toMatchObject({
      effectiveFrom: 'caa-inherited.perimeter.test',
      issuers: ['digicert.com'],
      wildcardIssuers: ['sectigo.com'],
      iodef: ['https://caa-inherited.perimeter.test/caa-report'],
    });
    expect(r.data.issueValues).toContainEqual(
      expect.objectContaining({
        issuer: 'digicert.com',
        parameters: { cansignhttpexchanges: 'yes' },
      }),
    );
  });

  it('caa-none: any CA may issue', async () => {
    const r = await scan('caa-none.perimeter.test');
    expect(ids(r)).toEqual(['caa.missing']);
    expect(r.data).toMatchObject({ effectiveFrom: null, issuers: null, wildcardIssuers: null });
    // A name below it that does not exist climbs too.
    expect(ids(await scan('nope.caa-none.perimeter.test'))).toEqual(['caa.missing']);
  });

  it('caa-deny-all: nobody may issue', async () => {
    const r = await scan('caa-deny-all.perimeter.test');
    expect(ids(r)).toEqual(['caa.deny-all']);
    expect(r.data).toMatchObject({ issuers: [], wildcardIssuers: [] });
  });

  it('caa-critical-unknown: CAs must refuse', async () => {
    const r = await scan('caa-critical-unknown.perimeter.test');
    expect(ids(r)).toEqual(['caa.critical-unknown-tag']);
    expect(r.data.records).toContainEqual({
      flags: 128,
      tag: 'futuretag',
      value: 'must-understand',
    });
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanCaa('www.caa-good.perimeter.test', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      { name: 'www.caa-good.perimeter.test', type: 'CAA', code: expect.any(String) },
    ]);
  });
});

describe('CAA findings not in the lab', () => {
  it('issuewild only, unknown tag, malformed issue value, bad iodef', () => {
    const findings = caaFindings('x.test', 'x.test', [
      { flags: 0, tag: 'issuewild', value: 'letsencrypt.org' },
      { flags: 0, tag: 'isue', value: 'letsencrypt.org' },
      { flags: 0, tag: 'issuewild', value: 'lets encrypt' },
      { flags: 0, tag: 'iodef', value: 'security@x.test' },
    ]);
    emitted.push(...findings);
    expect(findings.map((f) => f.id).sort()).toEqual([
      'caa.invalid-iodef',
      'caa.invalid-issue-value',
      'caa.issue-unrestricted',
      'caa.unknown-tag',
    ]);
  });
});

describeCatalogue('caa', CaaFindings, emitted);
