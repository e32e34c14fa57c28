/**
 * The response headers the HTTP Observatory grades, parsed into what matters: is each present,
 * does its value do anything, is it weakened. Hand-written: each grammar is a few lines, and the
 * judgement (what is "unsafe") is the point, which no parser library makes.
 */

export interface ContentSecurityPolicy {
  raw: string;
  /** Directive name (lower case) → source list, first occurrence wins (CSP3 §2.2.1). */
  directives: Record<string, string[]>;
  frameAncestors: string[] | null;
  /** Why script execution is not restricted, if it is not. */
  weaknesses: string[];
}

export interface SecurityHeaders {
  csp: ContentSecurityPolicy | null;
  /** Only enforced policies count; report-only is noted. */
  cspReportOnly: boolean;
  xFrameOptions: { raw: string; valid: boolean } | null;
  /** XFO or CSP frame-ancestors: either stops other sites framing the page. */
  framingProtected: boolean;
  xContentTypeOptions: { raw: string; valid: boolean } | null;
  referrerPolicy: { raw: string; effective: string | null; unsafe: boolean } | null;
  permissionsPolicy: { raw: string } | null;
  crossOriginOpenerPolicy: { raw: string; valid: boolean } | null;
  crossOriginEmbedderPolicy: { raw: string; valid: boolean } | null;
  crossOriginResourcePolicy: { raw: string; valid: boolean } | null;
}

const first = (h: Record<string, string[]>, name: string): string | undefined =>
  h[name]?.[0]?.trim();
/** Several header lines of a list-valued header are one comma-joined value (RFC 9110 §5.3). */
const joined = (h: Record<string, string[]>, name: string): string | undefined =>
  h[name]?.length ? h[name].join(', ').trim() : undefined;

/** Parses one serialized CSP (several headers are several policies: the first is used here). */
export function parseCsp(raw: string): ContentSecurityPolicy {
  const directives: Record<string, string[]> = {};
  for (const part of raw.split(';')) {
    const tokens = part
      .trim()
      .split(/[\t\n\f\r ]+/)
      .filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0]!.toLowerCase();
    if (name in directives) continue;
    directives[name] = tokens.slice(1);
  }
  const weaknesses: string[] = [];
  const scriptName = ['script-src', 'default-src'].find((d) => d in directives);
  if (!scriptName) {
    weaknesses.push('no script-src or default-src: scripts from anywhere may run');
  } else {
    const sources = directives[scriptName]!.map((s) => s.toLowerCase());
    const hasNonceOrHash = sources.some((s) => /^'(nonce|sha256|sha384|sha512)-/.test(s));
    const strictDynamic = sources.includes("'strict-dynamic'");
    if (sources.includes("'unsafe-inline'") && !hasNonceOrHash) {
      weaknesses.push(`${scriptName} allows 'unsafe-inline'`);
    }
    if (sources.includes("'unsafe-eval'")) weaknesses.push(`${scriptName} allows 'unsafe-eval'`);
    if (!strictDynamic) {
      for (const s of sources) {
        if (s === '*' || s === 'http:' || s === 'https:' || s === 'data:') {
          weaknesses.push(`${scriptName} allows scripts from ${s}`);
        }
      }
    }
  }
  return {
    raw,
    directives,
    frameAncestors: directives['frame-ancestors'] ?? null,
    weaknesses,
  };
}

const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
/** Policies that send the full URL to other sites (or over plain HTTP). */
const UNSAFE_REFERRER = new Set(['unsafe-url', 'no-referrer-when-downgrade']);

/** The headers of one response (lower-case names, repeated lines kept apart). */
export function parseSecurityHeaders(headers: Record<string, string[]>): SecurityHeaders {
  const cspRaw = first(headers, 'content-security-policy');
  const csp = cspRaw ? parseCsp(cspRaw) : null;
  const xfoRaw = first(headers, 'x-frame-options');
  // ALLOW-FROM is obsolete: browsers ignore it, so it protects nothing.
  const xfoValid = xfoRaw !== undefined && /^(deny|sameorigin)$/i.test(xfoRaw);
  const xctoRaw = first(headers, 'x-content-type-options');
  const rpRaw = joined(headers, 'referrer-policy');
  // The last recognised token is the one browsers apply (Referrer Policy §11.1).
  const effective = rpRaw
    ? ([...rpRaw.split(',').map((t) => t.trim().toLowerCase())]
        .reverse()
        .find((t) => REFERRER_POLICIES.has(t)) ?? null)
    : null;
  const ppRaw = joined(headers, 'permissions-policy');
  const token = (name: string, allowed: RegExp) => {
    const raw = first(headers, name);
    return raw === undefined ? null : { raw, valid: allowed.test(raw.split(';')[0]!.trim()) };
  };
  return {
    csp,
    cspReportOnly: !csp && Boolean(first(headers, 'content-security-policy-report-only')),
    xFrameOptions: xfoRaw === undefined ? null : { raw: xfoRaw, valid: xfoValid },
    framingProtected: xfoValid || Boolean(csp?.frameAncestors?.length),
    xContentTypeOptions:
      xctoRaw === undefined ? null : { raw: xctoRaw, valid: xctoRaw.toLowerCase() === 'nosniff' },
    referrerPolicy: rpRaw
      ? { raw: rpRaw, effective, unsafe: effective !== null && UNSAFE_REFERRER.has(effective) }
      : null,
    permissionsPolicy: ppRaw ? { raw: ppRaw } : null,
    crossOriginOpenerPolicy: token(
      'cross-origin-opener-policy',
      /^(same-origin|same-origin-allow-popups|noopener-allow-popups|unsafe-none)$/i,
    ),
    crossOriginEmbedderPolicy: token(
      'cross-origin-embedder-policy',
      /^(require-corp|credentialless|unsafe-none)$/i,
    ),
    crossOriginResourcePolicy: token(
      'cross-origin-resource-policy',
      /^(same-origin|same-site|cross-origin)$/i,
    ),
  };
}
