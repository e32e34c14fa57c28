import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { BimiFindings } from './bimi.findings';
import { judgeBimi, scanBimi, type BimiData } from './bimi.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string, c: CheckContext = ctx) {
  const report = await scanBimi(domain, c);
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<BimiData>) => r.findings.map((f) => f.id).sort();

describe('scanBimi against the lab', () => {
  it('bimi-good: logo and mark certificate, both fetched and valid', async () => {
    const r = await scan('bimi-good.perimeter.test');
    expect(r).toMatchObject({ check: 'bimi', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['bimi.certificate-valid', 'bimi.svg-valid', 'bimi.valid']);
    expect(r.data).toMatchObject({
      effectiveFrom: 'default._bimi.bimi-good.perimeter.test',
      location: 'https://bimi.bimi-good.perimeter.test/brand/logo.svg',
      authority: 'https://bimi.bimi-good.perimeter.test/brand/vmc.pem',
      declined: false,
      svgFetched: true,
      certificateFetched: true,
    });
  });

  it('a subdomain without a record falls back to the organisational domain', async () => {
    const r = await scan('news.bimi-good.perimeter.test');
    expect(ids(r)).toEqual(['bimi.certificate-valid', 'bimi.svg-valid', 'bimi.valid']);
    expect(r.data.checkedNames).toEqual([
      'default._bimi.news.bimi-good.perimeter.test',
      'default._bimi.bimi-good.perimeter.test',
    ]);
    expect(r.data.effectiveFrom).toBe('default._bimi.bimi-good.perimeter.test');
  });

  it('bimi-no-authority: warning', async () => {
    const r = await scan('bimi-no-authority.perimeter.test');
    expect(ids(r)).toEqual(['bimi.authority-missing', 'bimi.svg-valid']);
    expect(r.data).toMatchObject({
      location: 'https://bimi.bimi-no-authority.perimeter.test/logo.svg',
      authority: null,
      svgFetched: true,
      certificateFetched: false,
    });
  });

  it('bimi-declined: info', async () => {
    const r = await scan('bimi-declined.perimeter.test');
    expect(ids(r)).toEqual(['bimi.declined']);
    expect(r.data).toMatchObject({ declined: true, location: null, authority: null });
  });

  it('bimi-bad-url: http logo (PNG) and http certificate', async () => {
    const r = await scan('bimi-bad-url.perimeter.test');
    expect(ids(r)).toEqual(['bimi.authority-invalid', 'bimi.location-invalid']);
  });

  it('bimi-bad-files: a logo that is not SVG Tiny PS, an expired certificate for another domain', async () => {
    const r = await scan('bimi-bad-files.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual([
      'bimi.certificate-domain-mismatch',
      'bimi.certificate-expired',
      'bimi.svg-content-type',
      'bimi.svg-external-reference',
      'bimi.svg-no-title',
      'bimi.svg-not-tiny-ps',
      'bimi.svg-root-position',
      'bimi.svg-script',
      'bimi.valid',
    ]);
    expect(r.data).toMatchObject({ svgFetched: true, certificateFetched: true });
  });

  it('bimi-broken-files: logo 404 (warning), no certificate in the PEM', async () => {
    const r = await scan('bimi-broken-files.perimeter.test');
    expect(ids(r)).toEqual(['bimi.certificate-invalid', 'bimi.svg-fetch-failed', 'bimi.valid']);
    expect(r.findings.find((f) => f.id === 'bimi.svg-fetch-failed')!.message).toContain('404');
    expect(r.data).toMatchObject({ svgFetched: false, certificateFetched: true });
  });

  it('bimi-slow-files: a logo download that times out is undetermined', async () => {
    const r = await scan('bimi-slow-files.perimeter.test', {
      ...ctx,
      https: { ...ctx.https, timeoutMs: 300 },
    });
    expect(r.status).toBe('unknown');
    expect(r.undetermined).toEqual([
      {
        name: 'https://bimi.bimi-slow-files.perimeter.test/logo.svg',
        type: 'HTTPS',
        code: 'ETIMEDOUT',
      },
    ]);
    expect(ids(r)).toEqual(['bimi.authority-missing']);
  });

  it('a certificate that cannot be downloaded is a warning', async () => {
    const r = await scan('bimi-good.perimeter.test', { ...ctx, allowPrivateTargets: false });
    expect(ids(r)).toEqual([
      'bimi.certificate-fetch-failed',
      'bimi.svg-fetch-failed',
      'bimi.valid',
    ]);
    expect(r.findings.find((f) => f.id === 'bimi.certificate-fetch-failed')!.message).toContain(
      'target-not-allowed',
    );
  });

  it('bimi-none: missing', async () => {
    const r = await scan('bimi-none.perimeter.test');
    expect(ids(r)).toEqual(['bimi.missing']);
    expect(r.data.effectiveFrom).toBeNull();
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanBimi('bimi-good.perimeter.test', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      { name: 'default._bimi.bimi-good.perimeter.test', type: 'TXT', code: expect.any(String) },
    ]);
  });
});

describe('judgeBimi on record strings', () => {
  const judge = (...values: string[]) => {
    const { findings } = judgeBimi('default._bimi.x.test', values);
    emitted.push(...findings);
    return findings.map((f) => f.id);
  };

  it('several records, a malformed one, a logo only in the certificate', () => {
    expect(judge('v=BIMI1; l=https://x.test/a.svg', 'v=BIMI1; l=https://x.test/b.svg')).toEqual([
      'bimi.multiple-records',
    ]);
    expect(judge('v=BIMI1; l=https://x.test/a.svg; l=https://x.test/a.svg')).toEqual([
      'bimi.syntax-error',
    ]);
    expect(judge('v=BIMI1; l=; a=https://x.test/vmc.pem')).toEqual(['bimi.valid']);
    expect(
      judge('v=BIMI1; l=https://x.test/a.svg,https://x.test/b.svg; a=https://x.test/v.pem'),
    ).toEqual(['bimi.location-invalid']);
  });
});

describeCatalogue('bimi', BimiFindings, emitted);
