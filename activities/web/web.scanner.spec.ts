import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { HeadersFindings, HstsFindings, WebFindings } from './web.findings';
import { scanWeb, type WebData } from './web.scanner';

let ctx: CheckContext;
const byPrefix: Record<string, Finding[]> = { web: [], hsts: [], headers: [] };

useLab((_, c) => {
  ctx = c;
});

async function scan(name: string, c: CheckContext = ctx) {
  const report = await scanWeb(`${name}.perimeter.test`, c);
  for (const f of report.findings) byPrefix[f.id.split('.')[0]!]!.push(f);
  return report;
}

const ids = (r: CheckReport<WebData>) => r.findings.map((f) => f.id).sort();
const HTTPS_OK = ['web.https-enforced', 'web.https-valid'];
const NO_SECTXT = ['web.security-txt-missing'];

describe('scanWeb against the lab', () => {
  it('web-modern: everything right, HSTS preload-ready, frame-ancestors instead of X-Frame-Options', async () => {
    const r = await scan('web-modern');
    expect(r).toMatchObject({ check: 'web', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.valid',
        'web.cookies-secure',
        'web.security-txt-valid',
        'web.security-txt-signed',
      ].sort(),
    );
    const d = r.data;
    expect(d).toMatchObject({
      live: true,
      canonicalUrl: 'https://web-modern.perimeter.test/',
      validHttps: true,
      defaultsToHttps: true,
      downgradesHttps: false,
      strictlyForcesHttps: true,
      httpsEnforced: true,
      hstsPreloadReady: true,
      hsts: { maxAge: 63072000, includeSubDomains: true, preload: true, afterRedirect: false },
    });
    expect(d.headers?.xFrameOptions).toBeNull();
    expect(d.headers?.framingProtected).toBe(true);
    // The redirect chain of http://www.: same host to HTTPS, then to the bare domain.
    expect(d.endpoints.httpWww.chain).toEqual([
      {
        url: 'http://www.web-modern.perimeter.test/',
        status: 301,
        location: 'https://www.web-modern.perimeter.test/',
        sameHost: true,
      },
      {
        url: 'https://www.web-modern.perimeter.test/',
        status: 301,
        location: 'https://web-modern.perimeter.test/',
        sameHost: false,
      },
      { url: 'https://web-modern.perimeter.test/', status: 200, location: null, sameHost: null },
    ]);
    expect(d.endpoints.https.tls).toMatchObject({
      authorized: true,
      hostnameMatches: true,
      expired: false,
      certificate: { issuer: 'Perimeter Lab CA' },
    });
    expect(d.securityTxt?.parsed?.contact).toEqual(['mailto:security@web-modern.perimeter.test']);
  });

  it.each([
    [
      'web-no-redirect',
      [
        'web.https-valid',
        'web.https-not-enforced',
        'hsts.valid',
        'hsts.not-preload-ready',
        'headers.valid',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-other-host',
      [
        ...HTTPS_OK,
        'web.redirects-to-other-host',
        'hsts.missing',
        'headers.valid',
        'web.cookies-secure',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-downgrade',
      ['web.https-valid', 'web.https-downgrades', 'web.https-not-enforced', 'headers.valid'],
    ],
    [
      'web-hsts-short',
      [...HTTPS_OK, 'hsts.max-age-short', 'hsts.not-preload-ready', 'headers.valid', ...NO_SECTXT],
    ],
    [
      'web-hsts-invalid',
      [...HTTPS_OK, 'hsts.invalid', 'hsts.not-preload-ready', 'headers.valid', ...NO_SECTXT],
    ],
    ['web-hsts-missing', [...HTTPS_OK, 'hsts.missing', 'headers.valid', ...NO_SECTXT]],
    [
      'web-hsts-no-preload',
      [...HTTPS_OK, 'hsts.valid', 'hsts.not-preload-ready', 'headers.valid', ...NO_SECTXT],
    ],
    [
      'web-hsts-after-redirect',
      [
        ...HTTPS_OK,
        'hsts.only-after-redirect',
        'hsts.valid',
        'hsts.not-preload-ready',
        'headers.valid',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-headers-missing',
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.csp-missing',
        'headers.frame-protection-missing',
        'headers.x-content-type-options-missing',
        'headers.referrer-policy-missing',
        'headers.permissions-policy-missing',
        'headers.cross-origin-isolation-missing',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-headers-weak',
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.csp-unsafe',
        'headers.frame-protection-missing',
        'headers.referrer-policy-unsafe',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-bad-cookies',
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.valid',
        'web.cookie-not-secure',
        'web.cookie-not-httponly',
        'web.cookie-no-samesite',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-sectxt-unsigned',
      [...HTTPS_OK, 'hsts.valid', 'hsts.preload-ready', 'headers.valid', 'web.security-txt-valid'],
    ],
    [
      'web-sectxt-expired',
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.valid',
        'web.security-txt-expired',
      ],
    ],
    [
      'web-sectxt-invalid',
      [
        ...HTTPS_OK,
        'hsts.valid',
        'hsts.preload-ready',
        'headers.valid',
        'web.security-txt-invalid',
      ],
    ],
    [
      'web-cert-expired',
      [
        'web.certificate-expired',
        'hsts.ignored-certificate-error',
        'hsts.not-preload-ready',
        'headers.valid',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-cert-wrong-host',
      [
        'web.certificate-bad-hostname',
        'hsts.ignored-certificate-error',
        'hsts.not-preload-ready',
        'headers.valid',
        ...NO_SECTXT,
      ],
    ],
    [
      'web-cert-self-signed',
      [
        'web.certificate-untrusted',
        'hsts.ignored-certificate-error',
        'hsts.not-preload-ready',
        'headers.valid',
        ...NO_SECTXT,
      ],
    ],
    ['web-http-only', ['web.https-missing', 'headers.valid']],
    ['web-not-live', ['web.not-live']],
  ])('%s → %j', async (name, expected) => {
    const r = await scan(name);
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual([...expected].sort());
  });

  it('web-www: the www endpoints are canonical when the bare domain only redirects there', async () => {
    const r = await scan('web-www');
    expect(ids(r)).toEqual(
      [...HTTPS_OK, 'hsts.valid', 'hsts.preload-ready', 'headers.valid', ...NO_SECTXT].sort(),
    );
    expect(r.data).toMatchObject({
      canonicalUrl: 'https://www.web-www.perimeter.test/',
      canonicalIsWww: true,
      redirectDomain: false,
      headersUrl: 'https://www.web-www.perimeter.test/',
    });
  });

  it('follows HSTS through a redirect on the same host', async () => {
    const r = await scan('web-hsts-after-redirect');
    expect(r.data.hsts).toMatchObject({
      url: 'https://web-hsts-after-redirect.perimeter.test/home',
      afterRedirect: true,
      maxAge: 31536000,
    });
    expect(r.data.hstsPreloadProblems).toContain(
      'the HSTS header is only sent after a redirect, not on the redirect itself',
    );
  });

  it('says what is wrong with a certificate, from Node’s verification', async () => {
    const expired = await scan('web-cert-expired');
    expect(expired.data.endpoints.https.tls).toMatchObject({
      authorized: false,
      error: 'CERT_HAS_EXPIRED',
      expired: true,
    });
    // Still live: an invalid certificate does not hide what the server answers.
    expect(expired.data).toMatchObject({
      validHttps: false,
      strictlyForcesHttps: true,
      httpsEnforced: false,
    });
    const wrong = await scan('web-cert-wrong-host');
    expect(wrong.data.endpoints.https.tls).toMatchObject({
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
      hostnameMatches: false,
      certificate: { san: ['not-web-cert-wrong-host.perimeter.test'] },
    });
    const self = await scan('web-cert-self-signed');
    expect(self.data.endpoints.https.tls).toMatchObject({ selfSigned: true, authorized: false });
  });

  it('reports a timeout as "could not determine", without findings that depend on it', async () => {
    const r = await scan('web-timeout', { ...ctx, https: { ...ctx.https, webTimeoutMs: 300 } });
    expect(r.status).toBe('unknown');
    expect(r.undetermined).toEqual([
      { name: 'https://web-timeout.perimeter.test/', type: 'HTTPS', code: 'ETIMEDOUT' },
    ]);
    expect(r.findings).toEqual([]);
  });

  it('does not connect to private addresses unless allowed', async () => {
    const r = await scan('web-modern', { ...ctx, allowPrivateTargets: false });
    expect(ids(r)).toEqual(['web.target-not-allowed']);
    expect(r.data.requests).toBe(4);
    expect(r.data.live).toBe(false);
  });
});

// One check, three catalogues (by id prefix): each judged on its own findings.
describeCatalogue('web', WebFindings, byPrefix.web);
describeCatalogue('hsts', HstsFindings, byPrefix.hsts);
describeCatalogue('headers', HeadersFindings, byPrefix.headers);
