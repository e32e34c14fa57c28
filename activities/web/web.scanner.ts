import type { CheckReport, Finding } from '../common/check-report';
import { checkReport } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { HttpsFetchFailed, webGet } from '../common/https-fetch';
import { judgeCookies, type CookieFinding } from './cookies';
import { HSTS_STRONG_MAX_AGE, type HstsPolicy } from './hsts-header';
import { parseSecurityHeaders, type SecurityHeaders } from './security-headers';
import { parseSecurityTxt, type SecurityTxt } from './security-txt';
import {
  endpointUrls,
  probeEndpoint,
  WebEndpointNames,
  type WebEndpoint,
  type WebEndpointName,
} from './web-endpoints';

/** security.txt bodies larger than this are not read (RFC 9116 files are a few hundred bytes). */
export const SECURITY_TXT_MAX_BYTES = 32 * 1024;

export interface WebData {
  endpoints: Record<WebEndpointName, WebEndpoint>;
  /** pshtt's judgements for the domain as a whole. */
  live: boolean;
  canonicalUrl: string | null;
  /** The canonical endpoints are the www ones. */
  canonicalIsWww: boolean;
  /** Every endpoint redirects or is down, and at least one redirects: a "redirect domain". */
  redirectDomain: boolean;
  validHttps: boolean;
  defaultsToHttps: boolean;
  downgradesHttps: boolean;
  strictlyForcesHttps: boolean;
  /** Strictly forces HTTPS with a valid certificate and no downgrade (`web.https-enforced`). */
  httpsEnforced: boolean;
  /** HSTS as the canonical HTTPS endpoint sets it (after a redirect, when only then). */
  hsts: (HstsPolicy & { url: string; afterRedirect: boolean }) | null;
  hstsPreloadReady: boolean;
  hstsPreloadProblems: string[];
  /** Headers of the canonical endpoint's final response. */
  headersUrl: string | null;
  headers: SecurityHeaders | null;
  cookies: CookieFinding[];
  securityTxt: {
    url: string;
    status: number | null;
    found: boolean;
    parsed: SecurityTxt | null;
    error: string | null;
  } | null;
  /** HTTP requests the scan made. */
  requests: number;
}

const rootUnused = (e: WebEndpoint) =>
  !e.live ||
  e.redirect ||
  (e.tls !== null && !e.tls.hostnameMatches) ||
  !(e.status !== null && e.status >= 200 && e.status < 300);

/** pshtt's canonical-endpoint rule: www only when it is used and the root endpoints are not. */
function canonical(eps: Record<WebEndpointName, WebEndpoint>): {
  https: WebEndpoint;
  http: WebEndpoint;
  isWww: boolean;
} {
  const wwwUsed = eps.httpsWww.live || eps.httpWww.live;
  const isWww = wwwUsed && rootUnused(eps.https) && rootUnused(eps.http);
  return isWww
    ? { https: eps.httpsWww, http: eps.httpWww, isWww }
    : { https: eps.https, http: eps.http, isWww };
}

const certProblems = (e: WebEndpoint): string[] => {
  if (!e.live || !e.tls) return [];
  const p: string[] = [];
  if (e.tls.expired) p.push('expired');
  if (e.tls.notYetValid) p.push('not yet valid');
  if (!e.tls.hostnameMatches) p.push('hostname');
  if (e.tls.chainError) p.push(e.tls.selfSigned ? 'self-signed' : 'untrusted');
  if (!e.tls.authorized && p.length === 0) p.push('untrusted');
  return p;
};

/**
 * The web posture of a domain, as pshtt and the HTTP Observatory judge it: its four endpoints
 * (http, https, with and without www), their redirects, certificates (Node's verification), HSTS,
 * security headers, cookies and security.txt. A timeout makes the report `unknown` and the
 * findings that depend on it are left out.
 */
export async function scanWeb(domain: string, ctx: CheckContext): Promise<CheckReport<WebData>> {
  const urls = endpointUrls(domain);
  const resolved = new Map<string, Promise<string[]>>();
  const probed = await Promise.all(
    WebEndpointNames.map((name) => probeEndpoint(name, urls[name], ctx, resolved)),
  );
  const endpoints = Object.fromEntries(probed.map((e) => [e.name, e])) as Record<
    WebEndpointName,
    WebEndpoint
  >;
  const undetermined: CheckReport['undetermined'] = probed
    .filter((e) => e.timedOut)
    .map((e) => ({
      name: e.url,
      type: e.scheme.toUpperCase(),
      code: e.error?.code ?? 'ETIMEDOUT',
    }));
  let requests = probed.reduce((n, e) => n + e.requests, 0);

  const live = probed.some((e) => e.live);
  const canon = canonical(endpoints);
  const anyHttpsLive = endpoints.https.live || endpoints.httpsWww.live;
  const downgradesHttps = canon.https.live && canon.https.redirectImmediatelyToHttp;
  const validHttps = canon.https.live && Boolean(canon.https.tls?.authorized);
  const httpEndpoints = [endpoints.http, endpoints.httpWww];
  const strictlyForcesHttps =
    anyHttpsLive && httpEndpoints.every((e) => !e.live || e.redirectImmediatelyToHttps);
  const defaultsToHttps =
    canon.https.live &&
    !downgradesHttps &&
    (!canon.http.live || (canon.http.finalUrl?.startsWith('https:') ?? false));
  const httpsEnforced = strictlyForcesHttps && validHttps && !downgradesHttps;
  const redirectDomain =
    probed.some((e) => e.redirect) && probed.every((e) => !e.live || e.redirect);
  const canonicalEndpoint = defaultsToHttps
    ? canon.https
    : canon.http.live
      ? canon.http
      : canon.https;

  // HSTS: on the canonical HTTPS endpoint, or after its redirects when only there (and only on
  // the domain's own hosts: another site's HSTS protects that site, not this one).
  const ownHost = (url: string) => {
    const h = new URL(url).hostname;
    return h === domain || h.endsWith(`.${domain}`);
  };
  for (const e of probed) {
    if (e.hstsAfterRedirect && !ownHost(e.hstsAfterRedirect.url)) e.hstsAfterRedirect = null;
  }
  const hstsSource = canon.https.live && !downgradesHttps ? canon.https : null;
  const hsts = hstsSource?.hsts
    ? { ...hstsSource.hsts, url: hstsSource.url, afterRedirect: false }
    : hstsSource?.hstsAfterRedirect
      ? {
          ...hstsSource.hstsAfterRedirect.policy,
          url: hstsSource.hstsAfterRedirect.url,
          afterRedirect: true,
        }
      : null;
  const hstsPreloadProblems = preloadProblems(endpoints);

  const headersEndpoint = defaultsToHttps || !canon.http.live ? canon.https : canon.http;
  const headers =
    headersEndpoint.live && headersEndpoint.finalHeaders
      ? parseSecurityHeaders(headersEndpoint.finalHeaders)
      : null;

  const cookies = dedupeCookies(
    probed.flatMap((e) => e.setCookies.flatMap((s) => judgeCookies(s.url, s.lines))),
  );

  let securityTxt: WebData['securityTxt'] = null;
  if (canon.https.live && !downgradesHttps) {
    const host = new URL(canon.https.url).host;
    const url = `https://${host}/.well-known/security.txt`;
    requests++;
    try {
      const res = await webGet(url, ctx, {
        maxBytes: SECURITY_TXT_MAX_BYTES,
        resolved,
        accept: 'text/plain',
      });
      const type = res.headers['content-type']?.[0] ?? '';
      if (res.status !== 200) {
        securityTxt = {
          url,
          status: res.status,
          found: false,
          parsed: null,
          error: `HTTP status ${res.status}`,
        };
      } else if (res.truncated) {
        securityTxt = {
          url,
          status: res.status,
          found: true,
          parsed: null,
          error: `larger than ${SECURITY_TXT_MAX_BYTES} bytes`,
        };
      } else {
        const parsed = parseSecurityTxt(res.body.toString('utf8'));
        if (!/^text\/plain\b/i.test(type))
          parsed.errors.push(`served as '${type || 'no type'}', not text/plain`);
        securityTxt = { url, status: res.status, found: true, parsed, error: null };
      }
    } catch (err) {
      if (!(err instanceof HttpsFetchFailed)) throw err;
      if (err.reason === 'timeout')
        undetermined.push({ name: url, type: 'HTTPS', code: err.code ?? 'ETIMEDOUT' });
      securityTxt = { url, status: null, found: false, parsed: null, error: err.message };
    }
  }

  const data: WebData = {
    endpoints,
    live,
    canonicalUrl: live ? canonicalEndpoint.url : null,
    canonicalIsWww: canon.isWww,
    redirectDomain,
    validHttps,
    defaultsToHttps,
    downgradesHttps,
    strictlyForcesHttps,
    httpsEnforced,
    hsts,
    hstsPreloadReady: hstsPreloadProblems.length === 0,
    hstsPreloadProblems,
    headersUrl: headers ? headersEndpoint.finalUrl : null,
    headers,
    cookies,
    securityTxt,
    requests,
  };
  const findings = undetermined.some((u) => !u.name.endsWith('/security.txt'))
    ? securityTxtFindings(data)
    : judgeWeb(domain, data);
  return checkReport({ check: 'web', domain, findings, data, undetermined });
}

/** hstspreload.org's submission rules, checked on the root domain. */
function preloadProblems(eps: Record<WebEndpointName, WebEndpoint>): string[] {
  const p: string[] = [];
  const root = eps.https;
  if (!root.live) return ['https://<domain>/ does not answer'];
  if (!root.tls?.authorized) p.push('the certificate of https://<domain>/ is not valid');
  if (eps.http.live && !(eps.http.redirectImmediatelyToHttps && eps.http.chain[0]?.sameHost)) {
    p.push('http://<domain>/ does not redirect to HTTPS on the same host first');
  }
  if (eps.httpsWww.live && !eps.httpsWww.tls?.authorized) {
    p.push('https://www.<domain>/ exists without a valid certificate');
  }
  const h = root.hsts;
  if (!h) {
    p.push(
      root.hstsAfterRedirect
        ? 'the HSTS header is only sent after a redirect, not on the redirect itself'
        : 'no HSTS header on https://<domain>/',
    );
    return p;
  }
  if (!h.valid) p.push(`the HSTS header is invalid (${h.errors.join('; ')})`);
  if ((h.maxAge ?? 0) < HSTS_STRONG_MAX_AGE)
    p.push(`max-age is under ${HSTS_STRONG_MAX_AGE} seconds`);
  if (!h.includeSubDomains) p.push('includeSubDomains is missing');
  if (!h.preload) p.push('preload is missing');
  return p;
}

function dedupeCookies(cookies: CookieFinding[]): CookieFinding[] {
  const seen = new Map<string, CookieFinding>();
  for (const c of cookies) {
    const key = `${c.name}|${c.problems.join(',')}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

function securityTxtFindings(d: WebData): Finding[] {
  const s = d.securityTxt;
  if (!s || (s.status === null && !s.found && s.error?.includes('timed out'))) return [];
  if (!s.found) {
    return [
      {
        id: 'web.security-txt-missing',
        severity: 'warning',
        message: `No security.txt at ${s.url} (${s.error}).`,
        evidence: { url: s.url, status: s.status },
      },
    ];
  }
  const out: Finding[] = [];
  const p = s.parsed;
  if (!p) {
    out.push({
      id: 'web.security-txt-invalid',
      severity: 'warning',
      message: `security.txt at ${s.url} could not be read: ${s.error}.`,
      evidence: { url: s.url },
    });
    return out;
  }
  if (p.expired) {
    out.push({
      id: 'web.security-txt-expired',
      severity: 'fail',
      message: `security.txt at ${s.url} expired on ${p.expires}: readers must treat it as stale.`,
      evidence: { url: s.url, expires: p.expires },
    });
  }
  if (p.errors.length > 0) {
    out.push({
      id: 'web.security-txt-invalid',
      severity: 'warning',
      message: `security.txt at ${s.url} does not follow RFC 9116: ${p.errors.join('; ')}.`,
      evidence: { url: s.url, errors: p.errors },
    });
  }
  if (!p.expired && p.errors.length === 0) {
    out.push({
      id: 'web.security-txt-valid',
      severity: 'pass',
      message: `security.txt at ${s.url} names ${p.contact.join(', ')} and is valid until ${p.expires}.`,
      evidence: { url: s.url, contact: p.contact, expires: p.expires, warnings: p.warnings },
    });
  }
  if (p.signed) {
    out.push({
      id: 'web.security-txt-signed',
      severity: 'pass',
      message: `security.txt at ${s.url} carries an OpenPGP cleartext signature (not verified: the key is the reader's to obtain).`,
      evidence: { url: s.url },
    });
  }
  return out;
}

function judgeWeb(domain: string, d: WebData): Finding[] {
  const out: Finding[] = [];
  const eps = Object.values(d.endpoints);
  const refused = eps.filter((e) => e.error?.reason === 'target-not-allowed');
  if (refused.length > 0) {
    out.push({
      id: 'web.target-not-allowed',
      severity: 'info',
      message: `Not scanned: ${refused.map((e) => e.url).join(', ')} resolve to addresses scanners may not reach (private, loopback or link-local).`,
      evidence: { endpoints: refused.map((e) => ({ url: e.url, error: e.error?.message })) },
    });
  }
  if (!d.live) {
    if (refused.length < eps.length) {
      out.push({
        id: 'web.not-live',
        severity: 'info',
        message: `No web server answers for ${domain} or www.${domain} (over HTTP or HTTPS).`,
        evidence: { errors: Object.fromEntries(eps.map((e) => [e.url, e.error?.message ?? null])) },
      });
    }
    return out;
  }
  const canonHttps = d.endpoints[d.canonicalIsWww ? 'httpsWww' : 'https'];
  const httpsLive = d.endpoints.https.live || d.endpoints.httpsWww.live;

  if (!httpsLive) {
    out.push({
      id: 'web.https-missing',
      severity: 'fail',
      message: `${domain} answers only over plain HTTP: neither https://${domain}/ nor https://www.${domain}/ completes a TLS handshake.`,
      evidence: {
        https: d.endpoints.https.error?.message ?? null,
        httpsWww: d.endpoints.httpsWww.error?.message ?? null,
      },
    });
  }
  for (const e of [d.endpoints.https, d.endpoints.httpsWww]) {
    const problems = certProblems(e);
    const evidence = { url: e.url, error: e.tls?.error, certificate: e.tls?.certificate };
    const cert = e.tls?.certificate;
    if (problems.includes('expired') || problems.includes('not yet valid')) {
      out.push({
        id: 'web.certificate-expired',
        severity: 'fail',
        message: `The certificate of ${e.url} is ${problems.includes('expired') ? `expired (valid until ${cert?.validTo})` : `not yet valid (from ${cert?.validFrom})`}.`,
        evidence,
      });
    }
    if (problems.includes('hostname')) {
      out.push({
        id: 'web.certificate-bad-hostname',
        severity: 'fail',
        message: `The certificate of ${e.url} does not cover ${e.host} (it names ${cert?.san.join(', ') || cert?.subject}).`,
        evidence,
      });
    }
    if (problems.includes('self-signed') || problems.includes('untrusted')) {
      out.push({
        id: 'web.certificate-untrusted',
        severity: 'fail',
        message: `The certificate of ${e.url} does not chain to a trusted root (${e.tls?.chainError ?? e.tls?.error}${problems.includes('self-signed') ? ', self-signed' : ''}).`,
        evidence,
      });
    }
  }
  if (d.validHttps) {
    out.push({
      id: 'web.https-valid',
      severity: 'pass',
      message: `${canonHttps.url} serves a valid certificate (trusted chain, ${canonHttps.host} covered, in date).`,
      evidence: { url: canonHttps.url, certificate: canonHttps.tls?.certificate },
    });
  }
  if (d.downgradesHttps) {
    out.push({
      id: 'web.https-downgrades',
      severity: 'fail',
      message: `${canonHttps.url} redirects to plain HTTP (${canonHttps.redirectTo}).`,
      evidence: { url: canonHttps.url, redirectTo: canonHttps.redirectTo },
    });
  }
  if (d.httpsEnforced) {
    out.push({
      id: 'web.https-enforced',
      severity: 'pass',
      message: `Every HTTP endpoint of ${domain} redirects straight to HTTPS, and HTTPS is valid.`,
      evidence: {
        redirects: Object.fromEntries(
          [d.endpoints.http, d.endpoints.httpWww].map((e) => [
            e.url,
            e.live ? e.redirectTo : 'not live',
          ]),
        ),
      },
    });
  } else if (httpsLive && !d.strictlyForcesHttps) {
    const lax = [d.endpoints.http, d.endpoints.httpWww].filter(
      (e) => e.live && !e.redirectImmediatelyToHttps,
    );
    out.push({
      id: 'web.https-not-enforced',
      severity: 'fail',
      message: `HTTPS is available but not enforced: ${lax
        .map(
          (e) =>
            `${e.url} ${e.redirect ? `redirects to ${e.redirectTo}` : `answers ${e.status} over HTTP`}`,
        )
        .join('; ')}.`,
      evidence: {
        endpoints: lax.map((e) => ({ url: e.url, status: e.status, redirectTo: e.redirectTo })),
      },
    });
  }
  const offHost = [d.endpoints.http, d.endpoints.httpWww].filter(
    (e) => e.live && e.redirect && e.chain[0]?.sameHost === false,
  );
  if (offHost.length > 0) {
    out.push({
      id: 'web.redirects-to-other-host',
      severity: 'warning',
      message: `${offHost.map((e) => `${e.url} → ${e.redirectTo}`).join('; ')}: the first redirect leaves the host, so browsers never see HTTPS (or HSTS) for it.`,
      evidence: { redirects: offHost.map((e) => ({ from: e.url, to: e.redirectTo })) },
    });
  }

  if (httpsLive && !d.downgradesHttps && canonHttps.live) out.push(...hstsFindings(d, canonHttps));
  if (d.headers) out.push(...headerFindings(d.headersUrl ?? '', d.headers));
  out.push(...cookieFindings(d.cookies));
  out.push(...securityTxtFindings(d));
  return out;
}

function hstsFindings(d: WebData, canonHttps: WebEndpoint): Finding[] {
  const out: Finding[] = [];
  const h = d.hsts;
  if (!h) {
    out.push({
      id: 'hsts.missing',
      severity: 'fail',
      message: `${canonHttps.url} sends no Strict-Transport-Security header: browsers may still try plain HTTP first.`,
      evidence: { url: canonHttps.url },
    });
    return out;
  }
  const lateOnes = [d.endpoints.https, d.endpoints.httpsWww].filter(
    (e) => e.live && !e.hsts && e.hstsAfterRedirect && e !== canonHttps,
  );
  for (const e of lateOnes) {
    out.push({
      id: 'hsts.only-after-redirect',
      severity: 'warning',
      message: `${e.url} redirects without HSTS; the header appears only at ${e.hstsAfterRedirect?.url}.`,
      evidence: { url: e.url, setAt: e.hstsAfterRedirect?.url },
    });
  }
  const evidence = {
    url: h.url,
    header: h.raw,
    maxAge: h.maxAge,
    includeSubDomains: h.includeSubDomains,
    preload: h.preload,
  };
  if (h.afterRedirect) {
    out.push({
      id: 'hsts.only-after-redirect',
      severity: 'warning',
      message: `HSTS appears only at ${h.url}, after ${canonHttps.url} redirected; the redirect itself sends none.`,
      evidence,
    });
  }
  if (!canonHttps.tls?.authorized) {
    out.push({
      id: 'hsts.ignored-certificate-error',
      severity: 'fail',
      message: `${h.url} sends HSTS, but over a connection with certificate errors (${canonHttps.tls?.error}): browsers ignore it.`,
      evidence: { ...evidence, certificateError: canonHttps.tls?.error },
    });
  } else if (!h.valid) {
    out.push({
      id: 'hsts.invalid',
      severity: 'fail',
      message: `The HSTS header at ${h.url} is ignored by browsers: ${h.errors.join('; ')}.`,
      evidence: { ...evidence, errors: h.errors },
    });
  } else if ((h.maxAge ?? 0) < HSTS_STRONG_MAX_AGE) {
    out.push({
      id: 'hsts.max-age-short',
      severity: 'warning',
      message: `HSTS max-age at ${h.url} is ${h.maxAge} seconds, under one year (${HSTS_STRONG_MAX_AGE}).`,
      evidence,
    });
  } else {
    out.push({
      id: 'hsts.valid',
      severity: 'pass',
      message: `HSTS at ${h.url}: max-age ${h.maxAge}${h.includeSubDomains ? ', includeSubDomains' : ''}${h.preload ? ', preload' : ''}.`,
      evidence,
    });
  }
  if (d.hstsPreloadReady) {
    out.push({
      id: 'hsts.preload-ready',
      severity: 'pass',
      message: `The domain meets the HSTS preload list's requirements and can be submitted.`,
      evidence,
    });
  } else {
    out.push({
      id: 'hsts.not-preload-ready',
      severity: 'info',
      message: `Not ready for the HSTS preload list: ${d.hstsPreloadProblems.join('; ')}.`,
      evidence: { ...evidence, problems: d.hstsPreloadProblems },
    });
  }
  return out;
}

function headerFindings(url: string, h: SecurityHeaders): Finding[] {
  const out: Finding[] = [];
  const f = (
    id: string,
    severity: Finding['severity'],
    message: string,
    evidence: Record<string, unknown> = {},
  ) => out.push({ id, severity, message, evidence: { url, ...evidence } });
  if (!h.csp) {
    f(
      'headers.csp-missing',
      'warning',
      `${url} sends no Content-Security-Policy${h.cspReportOnly ? ' (only a report-only one, which enforces nothing)' : ''}.`,
    );
  } else if (h.csp.weaknesses.length > 0) {
    f(
      'headers.csp-unsafe',
      'warning',
      `The Content-Security-Policy of ${url} does not restrict scripts: ${h.csp.weaknesses.join('; ')}.`,
      { csp: h.csp.raw },
    );
  }
  if (!h.framingProtected) {
    f(
      'headers.frame-protection-missing',
      'warning',
      `${url} can be framed by any site: no X-Frame-Options (DENY or SAMEORIGIN) and no CSP frame-ancestors.`,
      {
        xFrameOptions: h.xFrameOptions?.raw ?? null,
      },
    );
  }
  if (!h.xContentTypeOptions?.valid) {
    f(
      'headers.x-content-type-options-missing',
      'warning',
      `${url} sends no 'X-Content-Type-Options: nosniff'${h.xContentTypeOptions ? ` (it sends '${h.xContentTypeOptions.raw}')` : ''}.`,
    );
  }
  if (!h.referrerPolicy?.effective) {
    f(
      'headers.referrer-policy-missing',
      'info',
      `${url} sends no (recognised) Referrer-Policy; browsers fall back to strict-origin-when-cross-origin.`,
    );
  } else if (h.referrerPolicy.unsafe) {
    f(
      'headers.referrer-policy-unsafe',
      'warning',
      `Referrer-Policy '${h.referrerPolicy.effective}' at ${url} sends full URLs to other sites.`,
      { referrerPolicy: h.referrerPolicy.raw },
    );
  }
  if (!h.permissionsPolicy) {
    f(
      'headers.permissions-policy-missing',
      'info',
      `${url} sends no Permissions-Policy limiting powerful browser features.`,
    );
  }
  const isolation = {
    'Cross-Origin-Opener-Policy': h.crossOriginOpenerPolicy,
    'Cross-Origin-Embedder-Policy': h.crossOriginEmbedderPolicy,
    'Cross-Origin-Resource-Policy': h.crossOriginResourcePolicy,
  };
  const missing = Object.entries(isolation)
    .filter(([, v]) => !v?.valid)
    .map(([k]) => k);
  if (missing.length > 0) {
    f('headers.cross-origin-isolation-missing', 'info', `${url} lacks ${missing.join(', ')}.`, {
      missing,
    });
  }
  const good =
    h.csp !== null &&
    h.csp.weaknesses.length === 0 &&
    h.framingProtected &&
    h.xContentTypeOptions?.valid === true &&
    h.referrerPolicy?.effective &&
    !h.referrerPolicy.unsafe;
  if (good) {
    f(
      'headers.valid',
      'pass',
      `${url} sends a script-restricting CSP, framing protection${h.csp?.frameAncestors && !h.xFrameOptions?.valid ? ' (CSP frame-ancestors)' : ''}, nosniff and a safe Referrer-Policy.`,
    );
  }
  return out;
}

function cookieFindings(cookies: CookieFinding[]): Finding[] {
  if (cookies.length === 0) return [];
  const out: Finding[] = [];
  const having = (p: CookieFinding['problems'][number]) =>
    cookies.filter((c) => c.problems.includes(p));
  const names = (cs: CookieFinding[]) => [...new Set(cs.map((c) => c.name))].join(', ');
  const notSecure = [...having('not-secure'), ...having('samesite-none-not-secure')];
  if (notSecure.length > 0) {
    out.push({
      id: 'web.cookie-not-secure',
      severity: 'fail',
      message: `Cookie(s) ${names(notSecure)} lack the Secure flag: browsers also send them over plain HTTP.`,
      evidence: { cookies: notSecure.map(({ name, url }) => ({ name, url })) },
    });
  }
  const notHttpOnly = having('not-httponly');
  if (notHttpOnly.length > 0) {
    out.push({
      id: 'web.cookie-not-httponly',
      severity: 'warning',
      message: `Cookie(s) ${names(notHttpOnly)} lack HttpOnly: any script on the page can read them.`,
      evidence: { cookies: notHttpOnly.map(({ name, url }) => ({ name, url })) },
    });
  }
  const noSameSite = having('no-samesite');
  if (noSameSite.length > 0) {
    out.push({
      id: 'web.cookie-no-samesite',
      severity: 'warning',
      message: `Cookie(s) ${names(noSameSite)} set no SameSite attribute.`,
      evidence: { cookies: noSameSite.map(({ name, url }) => ({ name, url })) },
    });
  }
  if (out.length === 0) {
    out.push({
      id: 'web.cookies-secure',
      severity: 'pass',
      message: `Every cookie set (${names(cookies)}) is Secure, HttpOnly and has SameSite.`,
      evidence: { cookies: cookies.map(({ name, sameSite }) => ({ name, sameSite })) },
    });
  }
  return out;
}
