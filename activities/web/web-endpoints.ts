import type { CheckContext } from '../common/dns-lookup';
import {
  HttpsFetchFailed,
  webGet,
  type TlsVerification,
  type WebResponse,
} from '../common/https-fetch';
import { parseHsts, type HstsPolicy } from './hsts-header';

export const WebEndpointNames = ['https', 'httpsWww', 'http', 'httpWww'] as const;
export type WebEndpointName = (typeof WebEndpointNames)[number];

/** Redirects followed from each endpoint before giving up (browsers allow about 20). */
export const MAX_REDIRECTS = 10;

export interface RedirectHop {
  url: string;
  status: number;
  /** The Location header resolved against `url`; null when the hop is not a redirect. */
  location: string | null;
  /** The redirect stays on the same host name (scheme and port aside). */
  sameHost: boolean | null;
}

export interface WebEndpoint {
  name: WebEndpointName;
  url: string;
  host: string;
  scheme: 'http' | 'https';
  /** Answered with any HTTP status (pshtt's "live"); an invalid certificate still counts. */
  live: boolean;
  /** Why it is not live (refused, DNS, TLS handshake, target not allowed), or why the chain stopped. */
  error: { reason: string; code?: string; message: string } | null;
  /** A timeout: whether it is live could not be determined. */
  timedOut: boolean;
  status: number | null;
  /** Its first response redirects (3xx with a Location). */
  redirect: boolean;
  redirectTo: string | null;
  /** The first response redirects straight to an https: URL (any host). */
  redirectImmediatelyToHttps: boolean;
  /** The first response redirects straight to an http: URL. */
  redirectImmediatelyToHttp: boolean;
  /** Every response, first to last, while redirects lasted (at most MAX_REDIRECTS + 1). */
  chain: RedirectHop[];
  /** The last URL answered, after redirects. */
  finalUrl: string | null;
  finalStatus: number | null;
  /** HTTPS endpoints: Node's verification of the certificate at this host. */
  tls: TlsVerification | null;
  /** HSTS on the endpoint's own first response (HTTPS only; ignored over HTTP, RFC 6797 §8.1). */
  hsts: HstsPolicy | null;
  /** The first HSTS header met later in the redirect chain, when the first response had none. */
  hstsAfterRedirect: { url: string; policy: HstsPolicy } | null;
  /** Response headers of the final response (what the Observatory grades). */
  finalHeaders: Record<string, string[]> | null;
  /** `Set-Cookie` lines of every response, by the URL that set them. */
  setCookies: Array<{ url: string; lines: string[] }>;
  /** Requests made for this endpoint. */
  requests: number;
}

export function endpointUrls(domain: string): Record<WebEndpointName, string> {
  return {
    https: `https://${domain}/`,
    httpsWww: `https://www.${domain}/`,
    http: `http://${domain}/`,
    httpWww: `http://www.${domain}/`,
  };
}

function resolveLocation(base: string, location: string | undefined): string | null {
  if (!location) return null;
  try {
    const u = new URL(location, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** GET one endpoint and follow its redirects, one request at a time, each through the guard. */
export async function probeEndpoint(
  name: WebEndpointName,
  url: string,
  ctx: CheckContext,
  resolved: Map<string, Promise<string[]>> = new Map(),
): Promise<WebEndpoint> {
  const start = new URL(url);
  const endpoint: WebEndpoint = {
    name,
    url,
    host: start.hostname,
    scheme: start.protocol === 'https:' ? 'https' : 'http',
    live: false,
    error: null,
    timedOut: false,
    status: null,
    redirect: false,
    redirectTo: null,
    redirectImmediatelyToHttps: false,
    redirectImmediatelyToHttp: false,
    chain: [],
    finalUrl: null,
    finalStatus: null,
    tls: null,
    hsts: null,
    hstsAfterRedirect: null,
    finalHeaders: null,
    setCookies: [],
    requests: 0,
  };
  let current = url;
  const visited = new Set<string>();
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: WebResponse;
    endpoint.requests++;
    try {
      res = await webGet(current, ctx, { resolved });
    } catch (err) {
      if (!(err instanceof HttpsFetchFailed)) throw err;
      const error = { reason: err.reason, code: err.code, message: err.message };
      if (hop === 0) {
        endpoint.error = error;
        endpoint.timedOut = err.reason === 'timeout';
      } else {
        endpoint.error = { ...error, message: `redirect target: ${err.message}` };
      }
      return endpoint;
    }
    visited.add(current);
    const location =
      res.status >= 300 && res.status < 400
        ? resolveLocation(current, res.headers.location?.[0])
        : null;
    const here = new URL(current);
    endpoint.chain.push({
      url: current,
      status: res.status,
      location,
      sameHost: location ? new URL(location).hostname === here.hostname : null,
    });
    if (res.headers['set-cookie']?.length) {
      endpoint.setCookies.push({ url: current, lines: res.headers['set-cookie'] });
    }
    const hsts =
      here.protocol === 'https:' ? parseHsts(res.headers['strict-transport-security']) : null;
    if (hop === 0) {
      endpoint.live = true;
      endpoint.status = res.status;
      endpoint.tls = res.tls ?? null;
      endpoint.hsts = hsts;
      endpoint.redirect = location !== null;
      endpoint.redirectTo = location;
      endpoint.redirectImmediatelyToHttps = location?.startsWith('https:') ?? false;
      endpoint.redirectImmediatelyToHttp = location?.startsWith('http:') ?? false;
    } else if (hsts && !endpoint.hsts && !endpoint.hstsAfterRedirect) {
      endpoint.hstsAfterRedirect = { url: current, policy: hsts };
    }
    endpoint.finalUrl = current;
    endpoint.finalStatus = res.status;
    endpoint.finalHeaders = res.headers;
    if (!location) return endpoint;
    if (visited.has(location)) {
      endpoint.error = { reason: 'redirect-loop', message: `redirect loop back to ${location}` };
      return endpoint;
    }
    current = location;
  }
  endpoint.error = {
    reason: 'too-many-redirects',
    message: `more than ${MAX_REDIRECTS} redirects from ${url}`,
  };
  return endpoint;
}
