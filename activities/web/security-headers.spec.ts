import { describe, expect, it } from 'vitest';
import { judgeCookies } from './cookies';
import { parseCsp, parseSecurityHeaders } from './security-headers';

describe('parseCsp', () => {
  it('keeps the first occurrence of a directive and finds frame-ancestors', () => {
    const csp = parseCsp("default-src 'self'; frame-ancestors 'none'; default-src *");
    expect(csp.directives['default-src']).toEqual(["'self'"]);
    expect(csp.frameAncestors).toEqual(["'none'"]);
    expect(csp.weaknesses).toEqual([]);
  });

  it('names what leaves scripts unrestricted', () => {
    expect(parseCsp("script-src 'self' 'unsafe-inline' 'unsafe-eval' https:").weaknesses).toEqual([
      "script-src allows 'unsafe-inline'",
      "script-src allows 'unsafe-eval'",
      'script-src allows scripts from https:',
    ]);
    expect(parseCsp("img-src 'self'").weaknesses).toEqual([
      'no script-src or default-src: scripts from anywhere may run',
    ]);
  });

  it("does not blame 'unsafe-inline' next to a nonce, nor hosts next to 'strict-dynamic'", () => {
    expect(
      parseCsp("script-src 'nonce-abc' 'unsafe-inline' 'strict-dynamic' https:").weaknesses,
    ).toEqual([]);
  });
});

describe('parseSecurityHeaders', () => {
  it('does not require X-Frame-Options when CSP frame-ancestors is set', () => {
    const h = parseSecurityHeaders({
      'content-security-policy': ["default-src 'self'; frame-ancestors 'self'"],
    });
    expect(h.xFrameOptions).toBeNull();
    expect(h.framingProtected).toBe(true);
  });

  it('treats ALLOW-FROM (obsolete) as no framing protection, DENY/SAMEORIGIN as protection', () => {
    expect(
      parseSecurityHeaders({ 'x-frame-options': ['ALLOW-FROM https://a.example'] }),
    ).toMatchObject({
      xFrameOptions: { valid: false },
      framingProtected: false,
    });
    expect(parseSecurityHeaders({ 'x-frame-options': ['sameorigin'] }).framingProtected).toBe(true);
  });

  it('applies the last recognised Referrer-Policy token, across header lines', () => {
    const h = parseSecurityHeaders({ 'referrer-policy': ['no-referrer', 'unsafe-url, made-up'] });
    expect(h.referrerPolicy).toMatchObject({ effective: 'unsafe-url', unsafe: true });
    expect(
      parseSecurityHeaders({ 'referrer-policy': ['made-up'] }).referrerPolicy?.effective,
    ).toBeNull();
  });

  it('checks nosniff and the cross-origin headers’ values', () => {
    const h = parseSecurityHeaders({
      'x-content-type-options': ['nosniff, nosniff'],
      'cross-origin-opener-policy': ['same-origin; report-to="x"'],
      'cross-origin-embedder-policy': ['require-everything'],
      'content-security-policy-report-only': ["default-src 'self'"],
    });
    expect(h.xContentTypeOptions?.valid).toBe(false);
    expect(h.crossOriginOpenerPolicy?.valid).toBe(true);
    expect(h.crossOriginEmbedderPolicy?.valid).toBe(false);
    expect(h.crossOriginResourcePolicy).toBeNull();
    expect(h.csp).toBeNull();
    expect(h.cspReportOnly).toBe(true);
  });
});

describe('judgeCookies', () => {
  it('lists what each cookie lacks, by name only (never the value)', () => {
    const cookies = judgeCookies('https://a.example/', [
      'sid=secret-value; Path=/',
      '__Host-ok=1; Path=/; Secure; HttpOnly; SameSite=Lax',
      'cross=1; HttpOnly; SameSite=None',
    ]);
    expect(cookies).toEqual([
      {
        name: 'sid',
        url: 'https://a.example/',
        secure: false,
        httpOnly: false,
        sameSite: null,
        problems: ['not-secure', 'not-httponly', 'no-samesite'],
      },
      {
        name: '__Host-ok',
        url: 'https://a.example/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
        problems: [],
      },
      {
        name: 'cross',
        url: 'https://a.example/',
        secure: false,
        httpOnly: true,
        sameSite: 'None',
        problems: ['not-secure', 'samesite-none-not-secure'],
      },
    ]);
    expect(JSON.stringify(cookies)).not.toContain('secret-value');
  });
});
