import type { LabCa } from '../https/lab-ca';
import type { LegacyHelloConfig } from './legacy-hello-server';

/** How one lab TLS host behaves: a real Node TLS server, or the crafted legacy responder. */
export type LabTlsPosture =
  | {
      kind: 'node';
      minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
      maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
      /** OpenSSL cipher string (TLS ≤ 1.2). */
      ciphers: string;
      /** PEM chain sent by the server, leaf first, and the key. */
      certPem: string;
      keyPem: string;
      /** Staples an (opaque, made-up) OCSP response when asked. */
      ocsp?: boolean;
    }
  | ({ kind: 'legacy' } & LegacyHelloConfig);

export interface LabTlsHost {
  /** The loopback address the host's zone points at. */
  address: string;
  /** Host names served there (their zones point at `address`). */
  names: string[];
  posture: LabTlsPosture;
}

const DAY = 86_400_000;
const MODERN =
  'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305';

function der(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
    (m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'),
  );
}

/**
 * The lab's TLS postures (lab/zones/tls-*.perimeter.test.zone point at these addresses). Each
 * has its own address, so each can have its own protocol, suites and certificate.
 */
export function labTlsHosts(ca: LabCa): LabTlsHost[] {
  const modern = (
    names: string[],
    cert: { certPem: string; keyPem: string },
  ): LabTlsHost['posture'] => ({
    kind: 'node',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: MODERN,
    ...cert,
  });
  const host = (
    n: number,
    name: string,
    posture: (names: string[]) => LabTlsPosture,
  ): LabTlsHost => {
    const names = [`${name}.perimeter.test`];
    return { address: `127.0.5.${n}`, names, posture: posture(names) };
  };
  // Leaf, intermediate and root: with the lab CA untrusted, the chain ends at an untrusted root.
  const chain = (names: string[]) => {
    const c = ca.issueViaIntermediate(names);
    return { certPem: c.certPem + c.intermediatePem + ca.caPem, keyPem: c.keyPem };
  };
  return [
    host(1, 'tls-modern', (n) => ({ ...modern(n, ca.issue(n)), ocsp: true })),
    host(2, 'tls-legacy', (n) => ({
      kind: 'node',
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0',
      ...ca.issue(n),
    })),
    host(3, 'tls-weak', (n) => ({
      kind: 'legacy',
      versions: [0x0002, 0x0300, 0x0301, 0x0303],
      // RC4-SHA, RC4-MD5, EXP-RC4-MD5, DES-CBC3-SHA, NULL-SHA, ADH-AES128-SHA, AES128-SHA.
      suites: [0x0005, 0x0004, 0x0003, 0x000a, 0x0002, 0x0034, 0x002f],
      ssl2Ciphers: [0x010080, 0x020080, 0x060040],
      compression: true,
      certificates: der(ca.issue(n).certPem),
    })),
    host(4, 'tls-cbc', (n) => ({
      kind: 'node',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'AES128-SHA256:AES256-SHA256:ECDHE-RSA-AES128-SHA256',
      ...ca.issue(n),
    })),
    host(5, 'tls-expired', (n) => modern(n, ca.issue(n, { expired: true }))),
    host(6, 'tls-self-signed', (n) => modern(n, ca.issue(n, { selfSigned: true }))),
    host(7, 'tls-wrong-host', () => modern([], ca.issue(['someone-else.perimeter.test']))),
    host(8, 'tls-missing-intermediate', (n) => {
      const c = ca.issueViaIntermediate(n);
      return modern(n, { certPem: c.certPem, keyPem: c.keyPem });
    }),
    host(9, 'tls-chain', (n) => modern(n, chain(n))),
    host(10, 'tls-weak-dh', (n) => ({
      kind: 'legacy',
      versions: [0x0303],
      // DHE-RSA-AES128-SHA, DHE-RSA-AES128-SHA256, ECDHE-RSA-AES128-SHA.
      suites: [0x0033, 0x0067, 0xc013],
      dhBits: 1024,
      groups: [0x0015, 0x0017],
      certificates: der(ca.issue(n).certPem),
    })),
    host(11, 'tls-not-yet-valid', (n) =>
      modern(
        n,
        ca.issue(n, {
          notBefore: new Date(Date.now() + 10 * DAY),
          notAfter: new Date(Date.now() + 400 * DAY),
        }),
      ),
    ),
    host(12, 'tls-expiring', (n) =>
      modern(
        n,
        ca.issue(n, {
          notBefore: new Date(Date.now() - 300 * DAY),
          notAfter: new Date(Date.now() + 10 * DAY),
        }),
      ),
    ),
    host(13, 'tls-chain-order', (n) => {
      const c = ca.issueViaIntermediate(n);
      // Root, then intermediate: each certificate is not followed by its issuer.
      return modern(n, { certPem: c.certPem + ca.caPem + c.intermediatePem, keyPem: c.keyPem });
    }),
    host(14, 'tls-weak-cert', (n) => ({
      kind: 'legacy',
      versions: [0x0303],
      suites: [0xc02f],
      certificates: der(ca.issue(n, { sha1: true, keyBits: 1024 }).certPem),
    })),
    host(16, 'tls-13-only', (n) => ({ ...modern(n, chain(n)), minVersion: 'TLSv1.3' })),
    host(15, 'tls-anonymous', () => ({
      kind: 'legacy',
      versions: [0x0303],
      suites: [0x0034, 0xc018],
      certificates: [],
    })),
  ];
}
