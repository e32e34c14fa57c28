import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { CertificateFindings, TlsFindings } from '../tls/tls.findings';
import { smtpTlsId, SmtpTlsFindings } from './smtp.findings';
import { scanSmtp, type SmtpData } from './smtp.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string, over: Partial<CheckContext> = {}) {
  const report = await scanSmtp(domain, { ...ctx, ...over });
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<SmtpData>) => r.findings.map((f) => f.id).sort();

describe('scanSmtp against the lab SMTP postures', () => {
  it('smtp-good: banner, EHLO with STARTTLS, then TLS 1.2/1.3 with a valid certificate', async () => {
    const r = await scan('smtp-good.perimeter.test');
    expect(r).toMatchObject({ check: 'smtp', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual([
      'smtp-tls.certificate-valid',
      'smtp-tls.forward-secrecy',
      'smtp-tls.ocsp-stapling-missing',
      'smtp-tls.profile-compliant',
      'smtp-tls.protocols-modern',
      'smtp-tls.starttls-everywhere',
    ]);
    const [mx] = r.data.hosts;
    expect(mx).toMatchObject({
      host: 'mail.smtp-good.perimeter.test',
      priority: 10,
      address: '127.0.6.1',
      banner: 'mail.smtp-good.perimeter.test ESMTP Perimeter lab',
      starttls: true,
      tls: {
        protocols: { 'tls1.2': 'accepted', 'tls1.3': 'accepted', 'tls1.0': 'refused' },
        handshake: { completed: true, protocol: 'TLSv1.3' },
        certificate: { hostnameMatches: true, chainsToTrustedRoot: true },
      },
    });
    expect(mx!.extensions).toEqual(['PIPELINING', 'STARTTLS', '8BITMIME']);
  });

  it('smtp-missing: no STARTTLS in EHLO', async () => {
    const r = await scan('smtp-missing.perimeter.test');
    expect(ids(r)).toEqual(['smtp-tls.starttls-missing']);
    expect(r.data.hosts[0]).toMatchObject({ starttls: false, tls: null });
  });

  it('smtp-broken: STARTTLS advertised, then no TLS', async () => {
    const r = await scan('smtp-broken.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(['smtp-tls.starttls-failed']);
    expect(r.data.hosts[0]!.tls?.handshake.completed).toBe(false);
  });

  it('smtp-weak: STARTTLS works, but TLS 1.0/1.1 only and a self-signed certificate', async () => {
    const r = await scan('smtp-weak.perimeter.test');
    expect(ids(r)).toEqual(
      expect.arrayContaining([
        'smtp-tls.starttls-everywhere',
        'smtp-tls.tls10-supported',
        'smtp-tls.tls11-supported',
        'smtp-tls.no-modern-protocol',
        'smtp-tls.certificate-self-signed',
      ]),
    );
    expect(ids(r)).not.toContain('smtp-tls.protocols-modern');
  });

  it('smtp-refusing: a 554 greeting is an SMTP error', async () => {
    const r = await scan('smtp-refusing.perimeter.test');
    expect(ids(r)).toEqual(['smtp-tls.smtp-error']);
    expect(r.findings[0]!.message).toContain('banner 554');
  });

  it('mx-null: no mail host to check', async () => {
    const r = await scan('mx-null.perimeter.test');
    expect(ids(r)).toEqual(['smtp-tls.no-mx']);
  });

  it('a mail host with nothing on the SMTP port: smtp-tls.no-service', async () => {
    const r = await scan('mx-good.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(['smtp-tls.no-service', 'smtp-tls.no-service']);
  });

  it('more than 10 MX hosts: the 10 most preferred are checked, the rest named', async () => {
    const r = await scan('spf-mx-eleven-hosts.perimeter.test');
    expect(r.data.hosts).toHaveLength(10);
    expect(r.data.skipped).toEqual(['mx11.spf-mx-eleven-hosts.perimeter.test']);
    expect(ids(r)).toContain('smtp-tls.mx-hosts-capped');
    expect(ids(r)).not.toContain('smtp-tls.starttls-everywhere');
  });

  it('a timeout is "could not determine": status unknown, no finding about the host', async () => {
    // 127.0.6.3 is the broken host: give it no time at all to answer the banner.
    const r = await scan('smtp-good.perimeter.test', { tls: { ...ctx.tls, timeoutMs: 1 } });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      {
        name: `mail.smtp-good.perimeter.test:${ctx.tls!.smtpPort}`,
        type: 'SMTP',
        code: 'ETIMEDOUT',
      },
    ]);
  });
});

// The TLS and certificate findings' SMTP twins are emitted by the same code as in tls.scanner.spec.
describeCatalogue('smtp-tls', SmtpTlsFindings, emitted, {
  emittedElsewhere: [...Object.keys(TlsFindings), ...Object.keys(CertificateFindings)].map(
    smtpTlsId,
  ),
});
