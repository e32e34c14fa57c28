import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLab } from '../../test/support/check-harness';
import type { CheckContext } from './dns-lookup';
import { type HttpsFetchFailed, webGet } from './https-fetch';
import { probeEndpoint } from '../web/web-endpoints';

let ctx: CheckContext;
useLab((_, c) => {
  ctx = c;
});

// A hostile plain-HTTP server: an endless body, and a header block that never ends.
let hostile: http.Server;
let hostilePort: number;
beforeAll(async () => {
  hostile = http.createServer((req, res) => {
    if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) {
          /* keep writing until the socket pushes back */
        }
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (req.url === '/to-nowhere') {
      // 0.0.0.0 is never a target, whatever the configuration.
      res.writeHead(302, { location: 'http://0.0.0.0/admin' }).end();
      return;
    }
    res.writeHead(200, { 'x-big': 'y'.repeat(20_000) }).end('ok');
  });
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
  hostilePort = (hostile.address() as AddressInfo).port;
});
afterAll(async () => {
  hostile.closeAllConnections();
  await new Promise((r) => hostile.close(r));
});

describe('webGet', () => {
  it('speaks plain HTTP on the configured port and does not follow redirects', async () => {
    const res = await webGet('http://web-modern.perimeter.test/', ctx);
    expect(res).toMatchObject({
      status: 301,
      headers: { location: ['https://web-modern.perimeter.test/'] },
      tls: undefined,
    });
  });

  it('keeps repeated headers apart (Set-Cookie) and reports a trusted certificate', async () => {
    const res = await webGet('https://web-bad-cookies.perimeter.test/', ctx);
    expect(res.headers['set-cookie']).toHaveLength(2);
    expect(res.tls).toMatchObject({ authorized: true, hostnameMatches: true, protocol: 'TLSv1.3' });
  });

  it('returns the response of a server with an untrusted certificate, with Node’s verdict', async () => {
    const res = await webGet('https://web-cert-self-signed.perimeter.test/', ctx);
    expect(res.status).toBe(200);
    expect(res.tls).toMatchObject({ authorized: false, selfSigned: true });
    const trustingNothing = await webGet('https://web-modern.perimeter.test/', {
      ...ctx,
      https: { ...ctx.https, extraCaPems: [] },
    });
    expect(trustingNothing.tls).toMatchObject({
      authorized: false,
      error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      hostnameMatches: true,
    });
  });

  it('reads at most maxBytes of an endless body, and none by default', async () => {
    const url = `http://127.0.0.1:${hostilePort}/endless`;
    const capped = await webGet(url, ctx, { maxBytes: 1000 });
    expect(capped.body.length).toBe(1000);
    expect(capped.truncated).toBe(true);
    const headersOnly = await webGet(url, ctx);
    expect(headersOnly.body.length).toBe(0);
  });

  it('fails clearly on an oversized header block, a refused port and a guarded target', async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as HttpsFetchFailed,
      );
    expect(await err(webGet(`http://127.0.0.1:${hostilePort}/big-headers`, ctx))).toMatchObject({
      reason: 'protocol',
      code: 'HPE_HEADER_OVERFLOW',
    });
    expect(await err(webGet('http://web-not-live.perimeter.test/', ctx))).toMatchObject({
      reason: 'refused',
    });
    expect(
      await err(
        webGet('http://web-modern.perimeter.test/', { ...ctx, allowPrivateTargets: false }),
      ),
    ).toMatchObject({ reason: 'target-not-allowed' });
    expect(await err(webGet('ftp://web-modern.perimeter.test/', ctx))).toMatchObject({
      reason: 'protocol',
    });
  });

  it('follows redirects only through the target guard (no way in through a Location header)', async () => {
    const endpoint = await probeEndpoint('http', `http://127.0.0.1:${hostilePort}/to-nowhere`, ctx);
    expect(endpoint).toMatchObject({ live: true, status: 302, redirectTo: 'http://0.0.0.0/admin' });
    expect(endpoint.chain).toHaveLength(1);
    expect(endpoint.error).toMatchObject({ reason: 'target-not-allowed' });
  });
});
