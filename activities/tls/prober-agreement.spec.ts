import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabCa } from '../../lab/https/lab-ca';
import { CIPHER_SUITES } from './cipher-suites';
import type { ProtocolVersion } from './client-hello';
import { tcpConnector } from './probe';
import { probeTls, type TlsProbeResult } from './tls-prober';

/**
 * The hand-built ClientHello prober and a real Node TLS server (OpenSSL) must agree: every
 * version and suite the server accepts from Node's own TLS client, the prober finds, and nothing
 * else. SSL 2.0/3.0 are not compared: Node's OpenSSL can do neither side of them.
 */
const TLS13 = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
];
const VERSIONS: Array<[ProtocolVersion, tls.SecureVersion]> = [
  ['tls1.0', 'TLSv1'],
  ['tls1.1', 'TLSv1.1'],
  ['tls1.2', 'TLSv1.2'],
  ['tls1.3', 'TLSv1.3'],
];
const known = new Set(CIPHER_SUITES.map((s) => s.name));

async function listen(options: tls.TlsOptions): Promise<tls.Server> {
  const server = tls.createServer(options, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/** What Node's TLS client negotiates with the server for one version and an OpenSSL cipher string. */
function nodeHandshake(
  port: number,
  version: tls.SecureVersion,
  ciphers: string,
): Promise<{ name: string; standardName: string } | null> {
  return new Promise((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'agreement.perimeter.test',
        rejectUnauthorized: false,
        minVersion: version,
        maxVersion: version,
        ciphers,
      });
    } catch {
      resolve(null); // "no cipher match": nothing left to offer
      return;
    }
    const done = (v: { name: string; standardName: string } | null) => {
      socket.destroy();
      resolve(v);
    };
    socket.once('secureConnect', () => {
      const c = socket.getCipher();
      done({ name: c.name, standardName: c.standardName });
    });
    socket.once('error', () => done(null));
    socket.setTimeout(3000, () => done(null));
  });
}

/**
 * Every suite Node's own client can agree on with the server at one version: offer everything,
 * take what the server picks, exclude it, and again until the handshake fails.
 */
async function nodeSuites(port: number, version: tls.SecureVersion): Promise<Set<string>> {
  const found = new Set<string>();
  if (version === 'TLSv1.3') {
    for (const name of TLS13) {
      // The TLS 1.3 name goes to the 1.3 suites; ALL keeps the (unused) 1.2 list non-empty.
      const r = await nodeHandshake(port, version, `${name}:ALL:@SECLEVEL=0`);
      if (r) found.add(r.standardName);
    }
    return found;
  }
  const excluded: string[] = [];
  for (let i = 0; i < 200; i++) {
    const offer = ['ALL', 'COMPLEMENTOFALL', ...excluded.map((n) => `!${n}`), '@SECLEVEL=0'];
    const r = await nodeHandshake(port, version, offer.join(':'));
    if (!r) break;
    found.add(r.standardName);
    excluded.push(r.name);
  }
  return found;
}

describe('the ClientHello prober agrees with a real Node TLS server', () => {
  let server: tls.Server;
  let port: number;
  let probed: TlsProbeResult;

  beforeAll(async () => {
    const cert = createLabCa().issue(['agreement.perimeter.test']);
    server = await listen({
      cert: cert.certPem,
      key: cert.keyPem,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.3',
      // Everything this OpenSSL has, DHE included.
      ciphers: `${TLS13.join(':')}:ALL:@SECLEVEL=0`,
      dhparam: 'auto',
    });
    port = (server.address() as AddressInfo).port;
    probed = await probeTls(
      { sni: 'agreement.perimeter.test', connect: tcpConnector('127.0.0.1', port) },
      { timeoutMs: 5000, concurrency: 5 },
    );
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it.each(VERSIONS)(
    '%s: same protocol support and the same suites',
    async (version, nodeVersion) => {
      const accepted = await nodeSuites(port, nodeVersion);
      // Every suite Node's OpenSSL can negotiate is one the prober knows and offers.
      expect([...accepted].filter((n) => !known.has(n))).toEqual([]);
      expect(probed.protocols[version]).toBe(accepted.size > 0 ? 'accepted' : 'refused');
      expect([...(probed.ciphers[version]?.suites ?? [])].sort()).toEqual([...accepted].sort());
      expect(accepted.size).toBeGreaterThan(version === 'tls1.3' ? 2 : 5);
    },
  );

  it('neither side speaks SSL 2.0 or 3.0', () => {
    expect(probed.protocols.ssl2).toBe('refused');
    expect(probed.protocols.ssl3).toBe('refused');
  });
});

describe('the prober reads the server’s own suite order', () => {
  it('honorCipherOrder: the order configured on the server, in IANA names', async () => {
    const cert = createLabCa().issue(['order.perimeter.test']);
    const server = await listen({
      cert: cert.certPem,
      key: cert.keyPem,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305',
      honorCipherOrder: true,
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await probeTls(
        { sni: 'order.perimeter.test', connect: tcpConnector('127.0.0.1', port) },
        { timeoutMs: 5000, concurrency: 2 },
      );
      expect(r.ciphers['tls1.2']).toEqual({
        suites: [
          'TLS_RSA_WITH_AES_256_CBC_SHA',
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_RSA_WITH_AES_128_CBC_SHA',
          'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        ],
        serverPreference: true,
        complete: true,
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
