import type { LabHttpsFile, LabHttpsSite } from '../https/https-server';
import type { LabHttpSite } from './http-server';

/** Every security header the HTTP Observatory looks for, set well (framing through CSP only). */
export const GOOD_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};
export const HSTS_PRELOAD = 'max-age=63072000; includeSubDomains; preload';
const HSTS_YEAR = 'max-age=31536000';
const DAY_MS = 24 * 60 * 60 * 1000;

const page = (headers: Record<string, string | string[]> = {}): LabHttpsFile => ({
  contentType: 'text/html; charset=utf-8',
  body: '<!doctype html><title>Perimeter lab</title><p>lab web site</p>\n',
  headers,
});
const redirect = (location: string, headers: Record<string, string> = {}): LabHttpsFile => ({
  status: 301,
  body: '',
  headers: { location, ...headers },
});

/** An RFC 9116 file; `signed` wraps it in an OpenPGP cleartext signature (a fixed lab one). */
export function securityTxt(
  opts: { expires: Date; contact?: boolean; signed?: boolean },
  host: string,
): string {
  const lines = [
    ...(opts.contact === false ? [] : [`Contact: mailto:security@${host}`]),
    `Expires: ${opts.expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `Canonical: https://${host}/.well-known/security.txt`,
    'Preferred-Languages: en, nl',
  ];
  if (!opts.signed) return `${lines.join('\n')}\n`;
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA256',
    '',
    ...lines,
    '-----BEGIN PGP SIGNATURE-----',
    '',
    'iHUEARYIAB0WIQRQZXJpbWV0ZXIgbGFiIHNpZ25hdHVyZQAAAAUCZmZmZgAKCRBQ',
    'ZXJpbWV0ZXIgbGFiIHNpZ25hdHVyZSAobm90IGEgcmVhbCBrZXkpAA==',
    '=lab0',
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n');
}

export interface LabWebSites {
  http: Record<string, LabHttpSite>;
  https: Record<string, LabHttpsSite>;
}

/**
 * The web postures (lab/zones/web-*.perimeter.test.zone): what each host answers over HTTP and
 * over HTTPS. Dates in security.txt are relative to when the lab starts.
 */
export function labWebSites(now: Date = new Date()): LabWebSites {
  const d = (name: string) => `${name}.perimeter.test`;
  const http: Record<string, LabHttpSite> = {};
  const https: Record<string, LabHttpsSite> = {};
  const inHalfAYear = new Date(now.getTime() + 180 * DAY_MS);
  const sectxt = (host: string, o: Parameters<typeof securityTxt>[0]) => ({
    '/.well-known/security.txt': {
      contentType: 'text/plain; charset=utf-8',
      body: securityTxt(o, host),
    },
  });
  /** HTTP redirects to HTTPS on the same host; HTTPS serves `files`. */
  const enforced = (name: string, site: LabHttpsSite) => {
    http[d(name)] = { files: { '/': redirect(`https://${d(name)}/`) } };
    https[d(name)] = site;
  };

  const hsts = (value: string) => ({ ...GOOD_HEADERS, 'strict-transport-security': value });
  const modern = d('web-modern');
  http[modern] = { files: { '/': redirect(`https://${modern}/`) } };
  http[`www.${modern}`] = { files: { '/': redirect(`https://www.${modern}/`) } };
  https[modern] = {
    files: {
      '/': page({
        ...GOOD_HEADERS,
        'strict-transport-security': HSTS_PRELOAD,
        'set-cookie': '__Host-session=lab; Path=/; Secure; HttpOnly; SameSite=Lax',
      }),
      ...sectxt(modern, { expires: inHalfAYear, signed: true }),
    },
  };
  https[`www.${modern}`] = {
    files: { '/': redirect(`https://${modern}/`, { 'strict-transport-security': HSTS_PRELOAD }) },
  };

  const www = d('web-www');
  http[www] = { files: { '/': redirect(`https://${www}/`) } };
  http[`www.${www}`] = { files: { '/': redirect(`https://www.${www}/`) } };
  https[www] = {
    files: { '/': redirect(`https://www.${www}/`, { 'strict-transport-security': HSTS_PRELOAD }) },
  };
  https[`www.${www}`] = { files: { '/': page(hsts(HSTS_PRELOAD)) } };

  http[d('web-no-redirect')] = { files: { '/': page(GOOD_HEADERS) } };
  https[d('web-no-redirect')] = {
    files: { '/': page({ ...GOOD_HEADERS, 'strict-transport-security': HSTS_YEAR }) },
  };

  http[d('web-other-host')] = { files: { '/': redirect(`https://${modern}/`) } };
  https[d('web-other-host')] = { files: { '/': redirect(`https://${modern}/`) } };

  http[d('web-downgrade')] = { files: { '/': page(GOOD_HEADERS) } };
  https[d('web-downgrade')] = { files: { '/': redirect(`http://${d('web-downgrade')}/`) } };

  enforced('web-hsts-short', { files: { '/': page(hsts('max-age=86400')) } });
  enforced('web-hsts-invalid', {
    files: { '/': page(hsts('max-age=one-year; includeSubDomains; includeSubDomains')) },
  });
  enforced('web-hsts-missing', { files: { '/': page(GOOD_HEADERS) } });
  enforced('web-hsts-no-preload', { files: { '/': page(hsts(HSTS_YEAR)) } });
  enforced('web-hsts-after-redirect', {
    files: { '/': { ...redirect('/home'), status: 302 }, '/home': page(hsts(HSTS_YEAR)) },
  });
  enforced('web-headers-missing', {
    files: { '/': page({ 'strict-transport-security': HSTS_PRELOAD }) },
  });
  enforced('web-headers-weak', {
    files: {
      '/': page({
        ...hsts(HSTS_PRELOAD),
        'content-security-policy': "default-src * 'unsafe-inline' 'unsafe-eval'",
        'x-frame-options': 'ALLOW-FROM https://web-modern.perimeter.test/',
        'referrer-policy': 'unsafe-url',
      }),
    },
  });
  enforced('web-bad-cookies', {
    files: {
      '/': page({
        ...hsts(HSTS_PRELOAD),
        'set-cookie': [
          'session=lab; Path=/',
          'theme=dark; Path=/; Secure; HttpOnly; SameSite=Strict',
        ],
      }),
    },
  });
  const sectxtSite = (name: string, o: Parameters<typeof securityTxt>[0]) =>
    enforced(name, {
      files: { '/': page(hsts(HSTS_PRELOAD)), ...sectxt(d(name), o) },
    });
  sectxtSite('web-sectxt-unsigned', { expires: inHalfAYear });
  sectxtSite('web-sectxt-expired', { expires: new Date(now.getTime() - 30 * DAY_MS) });
  enforced('web-sectxt-invalid', {
    files: {
      '/': page(hsts(HSTS_PRELOAD)),
      '/.well-known/security.txt': {
        contentType: 'text/html',
        body: securityTxt({ expires: inHalfAYear, contact: false }, d('web-sectxt-invalid')),
      },
    },
  });
  for (const cert of ['expired', 'wrong-host', 'self-signed'] as const) {
    enforced(`web-cert-${cert}`, { cert, files: { '/': page(hsts(HSTS_PRELOAD)) } });
  }
  http[d('web-http-only')] = { files: { '/': page(GOOD_HEADERS) } };
  https[d('web-http-only')] = { cert: 'none', files: {} };
  enforced('web-timeout', { files: { '/': { body: '', hang: true } } });
  return { http, https };
}
