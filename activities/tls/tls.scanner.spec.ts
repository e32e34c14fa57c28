import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import type { Lab } from '../../lab/lab';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { tcpConnector } from './probe';
import { evaluateTlsEndpoint, tlsEndpointFindings } from './tls-evaluation';
import { CertificateFindings, TlsFindings } from './tls.findings';
import { scanTls, type TlsData } from './tls.scanner';

let ctx: CheckContext;
let lab: Lab;
const emittedTls: Finding[] = [];
const emittedCertificate: Finding[] = [];
const record = (findings: Finding[]) => {
  for (const f of findings) (f.id.startsWith('tls.') ? emittedTls : emittedCertificate).push(f);
};

useLab((l, c) => {
  lab = l;
  ctx = c;
});

async function scan(domain: string, over: Partial<CheckContext> = {}) {
  const report = await scanTls(domain, { ...ctx, ...over });
  record(report.findings);
  return report;
}

const ids = (r: CheckReport<TlsData>) => r.findings.map((f) => f.id).sort();
const host = (r: CheckReport<TlsData>) => r.data.hosts[0]!;

// What a modern, well-configured host reports besides its certificate.
const MODERN = [
  'tls.forward-secrecy',
  'tls.ocsp-stapling-missing',
  'tls.profile-compliant',
  'tls.protocols-modern',
];

describe('scanTls against the lab TLS postures', () => {
  it('tls-modern: TLS 1.2 and 1.3, AEAD suites in the server’s order, stapled OCSP, valid certificate', async () => {
    const r = await scan('tls-modern.perimeter.test');
    expect(r).toMatchObject({ check: 'tls', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual([
      'certificate.valid',
      'tls.forward-secrecy',
      'tls.profile-compliant',
      'tls.protocols-modern',
    ]);
    const h = host(r);
    expect(h.protocols).toEqual({
      ssl2: 'refused',
      ssl3: 'refused',
      'tls1.0': 'refused',
      'tls1.1': 'refused',
      'tls1.2': 'accepted',
      'tls1.3': 'accepted',
    });
    expect(h.ciphers['tls1.2']).toEqual({
      suites: [
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      ],
      serverPreference: true,
      complete: true,
    });
    expect(h.ciphers['tls1.3']?.suites.sort()).toEqual([
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ]);
    expect(h.groups).toEqual(expect.arrayContaining(['x25519', 'secp256r1', 'secp384r1']));
    expect(h).toMatchObject({
      compression: false,
      secureRenegotiation: true,
      extendedMasterSecret: true,
      fallbackScsv: true,
      ocspStapling: true,
      handshake: { completed: true, protocol: 'TLSv1.3' },
      certificateSource: 'handshake-message',
    });
    expect(h.certificate).toMatchObject({
      chainsToTrustedRoot: true,
      hostnameMatches: true,
      certificates: [
        {
          subject: 'CN=tls-modern.perimeter.test',
          issuer: 'CN=Perimeter Lab CA, O=Perimeter lab',
          sans: ['tls-modern.perimeter.test'],
          keyType: 'rsa',
          keyBits: 2048,
          signatureAlgorithm: 'sha256WithRSAEncryption',
          weakSignature: false,
        },
      ],
    });
    expect(h.profiles.map((p) => [p.profile, p.compliant])).toEqual([
      ['modern', false],
      ['intermediate', true],
      ['old', true],
    ]);
    expect(h.profiles[0]!.deviations).toEqual([
      'accepts tls1.2',
      expect.stringMatching(/^accepts suites outside the profile: TLS_ECDHE_RSA/),
      'certificate key is rsa 2048 bits',
    ]);
  });

  it('tls-legacy: TLS 1.0 and 1.1 only', async () => {
    const r = await scan('tls-legacy.perimeter.test');
    expect(ids(r)).toEqual([
      'certificate.valid',
      'tls.forward-secrecy-partial',
      'tls.no-modern-protocol',
      'tls.ocsp-stapling-missing',
      'tls.profile-deviations',
      'tls.tls10-supported',
      'tls.tls11-supported',
      'tls.tls13-missing',
    ]);
    expect(host(r).fallbackScsv).toBe(true);
    const deviations = r.findings.find((f) => f.id === 'tls.profile-deviations')!;
    expect(deviations.message).toContain('accepts tls1.0, tls1.1');
  });

  it('tls-weak (crafted legacy server): SSL 2.0/3.0, every weak suite class, compression, no RFC 5746/7507/7627', async () => {
    const r = await scan('tls-weak.perimeter.test');
    expect(ids(r)).toEqual([
      'certificate.valid',
      'tls.cbc-only',
      'tls.cipher-3des',
      'tls.cipher-anonymous',
      'tls.cipher-des',
      'tls.cipher-export',
      'tls.cipher-null',
      'tls.cipher-rc4',
      'tls.compression',
      'tls.forward-secrecy-missing',
      'tls.insecure-renegotiation',
      'tls.no-extended-master-secret',
      'tls.no-fallback-scsv',
      'tls.no-server-preference',
      'tls.ocsp-stapling-missing',
      'tls.profile-deviations',
      'tls.ssl2-supported',
      'tls.ssl3-supported',
      'tls.tls10-supported',
      'tls.tls13-missing',
    ]);
    const h = host(r);
    expect(h.ssl2Ciphers).toEqual([
      'SSL_CK_RC4_128_WITH_MD5',
      'SSL_CK_RC4_128_EXPORT40_WITH_MD5',
      'SSL_CK_DES_64_CBC_WITH_MD5',
    ]);
    // No server preference: the suites come back in the order the prober offered them.
    expect(h.ciphers.ssl3?.suites).toEqual([
      'TLS_RSA_WITH_NULL_SHA',
      'TLS_RSA_EXPORT_WITH_RC4_40_MD5',
      'TLS_RSA_WITH_RC4_128_MD5',
      'TLS_RSA_WITH_RC4_128_SHA',
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_RSA_WITH_AES_128_CBC_SHA',
      'TLS_DH_anon_WITH_AES_128_CBC_SHA',
    ]);
    expect(h.protocols['tls1.1']).toBe('refused');
    // Node's TLS client cannot finish with this server: the prober still read its certificate.
    expect(h.handshake.completed).toBe(false);
    expect(h.certificateSource).toBe('handshake-message');
  });

  it('tls-cbc: TLS 1.2 with CBC suites only, most without forward secrecy', async () => {
    const r = await scan('tls-cbc.perimeter.test');
    expect(ids(r)).toEqual([
      'certificate.valid',
      'tls.cbc-only',
      'tls.forward-secrecy-partial',
      'tls.ocsp-stapling-missing',
      'tls.profile-deviations',
      'tls.protocols-modern',
      'tls.tls13-missing',
    ]);
    expect(r.findings.find((f) => f.id === 'tls.forward-secrecy-partial')?.evidence).toMatchObject({
      suites: ['TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
    });
  });

  it('tls-weak-dh: 1024-bit DHE and a 224-bit curve', async () => {
    const r = await scan('tls-weak-dh.perimeter.test');
    expect(ids(r)).toEqual(
      expect.arrayContaining(['tls.weak-dh', 'tls.weak-groups', 'tls.profile-deviations']),
    );
    expect(host(r)).toMatchObject({ dhBits: 1024, groups: ['secp224r1', 'secp256r1'] });
  });

  it.each([
    ['tls-expired', ['certificate.expired']],
    ['tls-not-yet-valid', ['certificate.not-yet-valid']],
    ['tls-expiring', ['certificate.expires-soon', 'certificate.valid']],
    ['tls-self-signed', ['certificate.self-signed']],
    ['tls-wrong-host', ['certificate.hostname-mismatch']],
    ['tls-missing-intermediate', ['certificate.missing-intermediate']],
    ['tls-chain', ['certificate.valid']],
    ['tls-chain-order', ['certificate.chain-order', 'certificate.valid']],
  ])('%s: %j', async (posture, certificateIds) => {
    const r = await scan(`${posture}.perimeter.test`);
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual([...certificateIds, ...MODERN].sort());
  });

  it('tls-chain with the lab CA not trusted: the chain ends at an untrusted root', async () => {
    const r = await scan('tls-chain.perimeter.test', { https: { extraCaPems: [] } });
    expect(ids(r).filter((id) => id.startsWith('certificate.'))).toEqual(['certificate.untrusted']);
    expect(host(r).certificate?.path).toEqual([
      'CN=tls-chain.perimeter.test',
      'CN=Perimeter Lab Intermediate CA, O=Perimeter lab',
      'CN=Perimeter Lab CA, O=Perimeter lab',
    ]);
  });

  it('tls-13-only: the chain comes from a full TLS 1.3 handshake (1.3 encrypts it)', async () => {
    const r = await scan('tls-13-only.perimeter.test');
    expect(ids(r)).toEqual([
      'certificate.valid',
      'tls.forward-secrecy',
      'tls.ocsp-stapling-missing',
      'tls.profile-compliant',
      'tls.protocols-modern',
    ]);
    expect(host(r)).toMatchObject({
      certificateSource: 'tls-client',
      secureRenegotiation: null,
      extendedMasterSecret: null,
      fallbackScsv: null,
      certificate: { chainsToTrustedRoot: true, missingIntermediate: false },
    });
    expect(host(r).certificate?.certificates.map((c) => c.subject)).toEqual([
      'CN=tls-13-only.perimeter.test',
      'CN=Perimeter Lab Intermediate CA, O=Perimeter lab',
      'CN=Perimeter Lab CA, O=Perimeter lab',
    ]);
  });

  it('tls-weak-cert: SHA-1 signature and a 1024-bit key', async () => {
    const r = await scan('tls-weak-cert.perimeter.test');
    expect(ids(r).filter((id) => id.startsWith('certificate.'))).toEqual([
      'certificate.valid',
      'certificate.weak-key',
      'certificate.weak-signature',
    ]);
    expect(host(r).certificate?.certificates[0]).toMatchObject({
      keyBits: 1024,
      signatureAlgorithm: 'sha1WithRSAEncryption',
      weakSignature: true,
    });
  });

  it('tls-anonymous: anonymous suites only, no certificate', async () => {
    const r = await scan('tls-anonymous.perimeter.test');
    expect(ids(r)).toEqual(expect.arrayContaining(['certificate.missing', 'tls.cipher-anonymous']));
    expect(host(r).certificate).toBeNull();
  });

  it('a host where nothing listens: tls.no-service, a definite answer', async () => {
    const r = await scan('good.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(['tls.no-service']);
  });

  it('a service that is not TLS (an SMTP banner): tls.no-tls', async () => {
    const report = await evaluateTlsEndpoint({
      host: 'mail.smtp-good.perimeter.test',
      address: '127.0.6.1',
      port: lab.smtp.port,
      sni: 'mail.smtp-good.perimeter.test',
      connect: tcpConnector('127.0.6.1', lab.smtp.port),
    });
    const found = tlsEndpointFindings(report);
    record(found);
    expect(found.map((f) => f.id)).toEqual(['tls.no-tls']);
  });

  it('the guideline profile is configuration: graded against Mozilla old, TLS 1.0 passes', async () => {
    const r = await scan('tls-legacy.perimeter.test', { tls: { ...ctx.tls, profile: 'old' } });
    expect(ids(r)).toContain('tls.profile-compliant');
  });
});

describe('timeouts are "could not determine", never a finding', () => {
  let silent: net.Server;
  const held = new Set<net.Socket>();
  beforeAll(async () => {
    // Accepts connections and never says a word.
    silent = net.createServer((s) => {
      held.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(lab.tls.port, '127.0.5.200', r));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a server that never answers: status unknown, no findings, what was not determined listed', async () => {
    const report = await evaluateTlsEndpoint(
      {
        host: 'silent.perimeter.test',
        address: '127.0.5.200',
        port: lab.tls.port,
        sni: 'silent.perimeter.test',
        connect: tcpConnector('127.0.5.200', lab.tls.port),
      },
      { timeoutMs: 300 },
    );
    expect(report.reachable).toBe(false);
    expect(Object.values(report.protocols)).toEqual(Array(6).fill('unknown'));
    expect(tlsEndpointFindings(report)).toEqual([]);
  });
});

describeCatalogue('tls', TlsFindings, emittedTls);
describeCatalogue('certificate', CertificateFindings, emittedCertificate);

describe('scanTls on names without a web endpoint', () => {
  it('no address for the domain nor www: nothing to report, and that is a definite answer', async () => {
    const r = await scanTls('smtp-good.perimeter.test', ctx);
    expect(r).toMatchObject({
      status: 'completed',
      findings: [],
      undetermined: [],
      data: { hosts: [] },
    });
  });
});
