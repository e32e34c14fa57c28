import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { TlsRptFindings } from './tls-rpt.findings';
import { judgeTlsRpt, scanTlsRpt, type TlsRptData } from './tls-rpt.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string) {
  const report = await scanTlsRpt(domain, ctx);
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<TlsRptData>) => r.findings.map((f) => f.id).sort();

describe('scanTlsRpt against the lab', () => {
  it('tlsrpt-good: a mailbox and an https endpoint', async () => {
    const r = await scan('tlsrpt-good.perimeter.test');
    expect(r).toMatchObject({ check: 'tls-rpt', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['tls-rpt.valid']);
    expect(r.data).toMatchObject({
      name: '_smtp._tls.tlsrpt-good.perimeter.test',
      rua: [
        { uri: 'mailto:tls-reports@tlsrpt-good.perimeter.test', scheme: 'mailto', valid: true },
        { uri: 'https://reports.tlsrpt-good.perimeter.test/tlsrpt', scheme: 'https', valid: true },
      ],
    });
  });

  it('tlsrpt-none: missing', async () => {
    const r = await scan('tlsrpt-none.perimeter.test');
    expect(ids(r)).toEqual(['tls-rpt.missing']);
    expect(r.data.record).toBeNull();
  });

  it('tlsrpt-bad: an http: URL and a bare address', async () => {
    const r = await scan('tlsrpt-bad.perimeter.test');
    expect(ids(r)).toEqual(['tls-rpt.invalid-rua', 'tls-rpt.invalid-rua']);
    expect(r.data.rua.map((u) => u.valid)).toEqual([false, false]);
  });

  it('tlsrpt-multiple: two records', async () => {
    const r = await scan('tlsrpt-multiple.perimeter.test');
    expect(ids(r)).toEqual(['tls-rpt.multiple-records']);
    expect(r.data.records).toHaveLength(2);
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanTlsRpt('tlsrpt-good.perimeter.test', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      { name: '_smtp._tls.tlsrpt-good.perimeter.test', type: 'TXT', code: expect.any(String) },
    ]);
  });
});

describe('judgeTlsRpt on record strings', () => {
  const judge = (...values: string[]) => {
    const { findings } = judgeTlsRpt('_smtp._tls.x.test', values);
    emitted.push(...findings);
    return findings.map((f) => f.id);
  };

  it('a malformed record, and a near miss senders ignore', () => {
    expect(judge('v=TLSRPTv1; rua=mailto:a@x.test; rua=mailto:b@x.test')).toEqual([
      'tls-rpt.syntax-error',
    ]);
    expect(judge('v=TLSRPTv1')).toEqual(['tls-rpt.syntax-error']);
    expect(judge('v=tlsrptv1; rua=mailto:a@x.test')).toEqual(['tls-rpt.syntax-error']);
  });

  it('other TXT at the name does not count', () => {
    expect(judge('some-verification=abc')).toEqual(['tls-rpt.missing']);
    expect(judge('some-verification=abc', 'v=TLSRPTv1; rua=mailto:a@x.test')).toEqual([
      'tls-rpt.valid',
    ]);
  });
});

describeCatalogue('tls-rpt', TlsRptFindings, emitted);
