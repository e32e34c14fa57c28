import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { startLabHttpsServer, type LabHttpsServer } from '../../lab/https/https-server';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckContext } from './dns-lookup';
import { HttpsFetchFailed, ResponseTooLarge, httpsGet } from './https-fetch';

let lab: Lab;
let ctx: CheckContext;
let extra: LabHttpsServer;
let silent: net.Server;
const sockets = new Set<net.Socket>();

// Hosts below all resolve to 127.0.0.1 in lab zones; `extra` serves them with chosen certificates.
const GOOD = 'mta-sts.mtasts-good.perimeter.test';
const OTHER = 'mta-sts.mtasts-testing.perimeter.test';
const SELF = 'mta-sts.mtasts-mode-none.perimeter.test';

beforeAll(async () => {
  lab = await startLab();
  ctx = {
    resolver: createScannerResolver({ servers: lab.resolvers, timeoutMs: 1000, tries: 1 }),
    extraPublicSuffixes: ['perimeter.test'],
    allowPrivateTargets: true,
    https: { port: lab.https.port, extraCaPems: [lab.https.caPem] },
  };
  extra = await startLabHttpsServer({
    sites: {
      [GOOD]: {
        files: {
          '/big': { body: Buffer.alloc(100_000, 'x') },
          '/redirect': { status: 301, body: '', headers: { location: 'https://elsewhere.test/' } },
        },
      },
      [OTHER]: { cert: 'expired', files: { '/': { body: 'old' } } },
      [SELF]: { cert: 'self-signed', files: { '/': { body: 'mine' } } },
    },
  });
  // Accepts connections and never says anything: no TLS handshake ever completes.
  silent = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent?.close(r));
  await extra?.close();
  await lab?.close();
});

const on = (port: number): CheckContext => ({ ...ctx, https: { ...ctx.https, port } });

async function failure(p: Promise<unknown>): Promise<HttpsFetchFailed> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpsFetchFailed);
  return err as HttpsFetchFailed;
}

describe('httpsGet against the lab', () => {
  it('fetches over a valid lab certificate, with SNI and Host for the name', async () => {
    const r = await httpsGet(`https://${GOOD}/.well-known/mta-sts.txt`, ctx);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.body.toString()).toContain('version: STSv1');
    expect(r.certificate.san).toContain(GOOD);
    expect(r.certificate.issuer).toBe('Perimeter Lab CA');
  });

  it('returns a 404 and a 3xx as they are, without following', async () => {
    expect((await httpsGet(`https://${GOOD}/nothing-here`, ctx)).status).toBe(404);
    const r = await httpsGet(`https://${GOOD}/redirect`, on(extra.port));
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://elsewhere.test/');
  });

  it('an expired certificate is a tls failure', async () => {
    const e = await failure(httpsGet(`https://${OTHER}/`, on(extra.port)));
    expect(e.reason).toBe('tls');
    expect(e.code).toBe('CERT_HAS_EXPIRED');
  });

  it('a self-signed certificate is a tls failure', async () => {
    const e = await failure(httpsGet(`https://${SELF}/`, on(extra.port)));
    expect(e.reason).toBe('tls');
  });

  it('without the lab CA, the lab certificate is not trusted', async () => {
    const e = await failure(
      httpsGet(`https://${GOOD}/`, { ...ctx, https: { port: lab.https.port } }),
    );
    expect(e.reason).toBe('tls');
  });

  it('caps the body', async () => {
    const e = await failure(httpsGet(`https://${GOOD}/big`, on(extra.port), { maxBytes: 1000 }));
    expect(e).toBeInstanceOf(ResponseTooLarge);
    expect(e.reason).toBe('too-large');
    const r = await httpsGet(`https://${GOOD}/big`, on(extra.port), { maxBytes: 200_000 });
    expect(r.body.length).toBe(100_000);
  });

  it('times out on a server that never answers', async () => {
    const port = (silent.address() as AddressInfo).port;
    const started = Date.now();
    const e = await failure(httpsGet(`https://${GOOD}/`, on(port), { timeoutMs: 300 }));
    expect(e.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refused connection, unknown name, not https', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await failure(httpsGet(`https://${GOOD}/`, on(port)))).reason).toBe('refused');
    expect((await failure(httpsGet('https://nope.mtasts-good.perimeter.test/', ctx))).reason).toBe(
      'dns',
    );
    expect((await failure(httpsGet(`http://${GOOD}/`, ctx))).reason).toBe('protocol');
  });

  it('the target guard refuses loopback unless private targets are allowed', async () => {
    const e = await failure(
      httpsGet(`https://${GOOD}/.well-known/mta-sts.txt`, { ...ctx, allowPrivateTargets: false }),
    );
    expect(e.reason).toBe('target-not-allowed');
    expect(e.message).toContain('127.0.0.1');
  });

  it('an unknown Host on the lab server is 421', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port: lab.https.port,
            path: '/',
            headers: { host: 'unknown.perimeter.test' },
            rejectUnauthorized: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(421);
  });
});
