import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { TargetNotAllowed, TargetUnresolvable } from '../../libs/net/errors';
import { resolveTarget } from '../../libs/net/target-guard';
import type { CheckContext } from './dns-lookup';

/** How scanners reach HTTPS servers; both fields are for the lab and tests. */
export interface HttpsFetchOptions {
  /**
   * Port to connect to instead of 443 (lab/testing override: the lab serves every HTTPS host on
   * one ephemeral port on 127.0.0.1). Never set in production.
   */
  port?: number;
  /** PEM trust anchors added to the system roots (the lab CA). */
  extraCaPems?: string[];
  /** Default timeout for a fetch, when the caller gives none (5000 ms). */
  timeoutMs?: number;
  /** Port for plain HTTP instead of 80 (lab/testing override, like `port`). Never set in production. */
  httpPort?: number;
  /** Timeout of each request the web scanner makes (SCANNER_WEB_TIMEOUT_MS); default `timeoutMs`. */
  webTimeoutMs?: number;
}

export type HttpsFetchFailureReason =
  'timeout' | 'tls' | 'refused' | 'target-not-allowed' | 'dns' | 'protocol' | 'too-large';

/** A fetch that produced no usable response. `code` is the underlying error code, when any. */
export class HttpsFetchFailed extends Error {
  override name = 'HttpsFetchFailed';
  constructor(
    readonly reason: HttpsFetchFailureReason,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The body exceeded `maxBytes` (declared by Content-Length or read so far). */
export class ResponseTooLarge extends HttpsFetchFailed {
  override name = 'ResponseTooLarge';
  constructor(
    readonly url: string,
    readonly maxBytes: number,
  ) {
    super('too-large', `response from ${url} is larger than ${maxBytes} bytes`);
  }
}

export interface HttpsResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  certificate: { subject: string; issuer: string; validTo: string; san: string[] };
}

export interface HttpsGetOptions {
  /** Default 64 KiB. */
  maxBytes?: number;
  /** Whole request, connection to last byte. Default `ctx.https.timeoutMs` or 5000. */
  timeoutMs?: number;
  accept?: string;
}

/**
 * GET over HTTPS as a scanner must do it: the host resolved through the scanners' resolver and
 * the target guard (never the OS lookup), a connection to an allowed address with SNI and
 * certificate verification for the host (system roots plus `ctx.https.extraCaPems`), no
 * redirects followed (a 3xx is returned as is), the body capped. Fails with `HttpsFetchFailed`.
 */
export async function httpsGet(
  url: string,
  ctx: CheckContext,
  opts: HttpsGetOptions = {},
): Promise<HttpsResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpsFetchFailed('protocol', `not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:') throw new HttpsFetchFailed('protocol', `not https: ${url}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const maxBytes = opts.maxBytes ?? 64 * 1024;
  const timeoutMs = opts.timeoutMs ?? ctx.https?.timeoutMs ?? 5000;
  const port = parsed.port ? Number(parsed.port) : (ctx.https?.port ?? 443);
  const deadline = Date.now() + timeoutMs;

  let addresses: string[];
  try {
    addresses = (
      await withTimeout(
        resolveTarget(host, ctx.resolver, { allowPrivateTargets: ctx.allowPrivateTargets }),
        timeoutMs,
        `resolving ${host} timed out`,
      )
    ).allowed;
  } catch (err) {
    if (err instanceof HttpsFetchFailed) throw err;
    if (err instanceof TargetNotAllowed) {
      throw new HttpsFetchFailed('target-not-allowed', err.message);
    }
    if (err instanceof TargetUnresolvable)
      throw new HttpsFetchFailed('dns', err.message, 'ENOTFOUND');
    const e = err as NodeJS.ErrnoException;
    throw new HttpsFetchFailed('dns', `resolving ${host}: ${e.message}`, e.code ?? 'EUNKNOWN');
  }

  const ca = ctx.https?.extraCaPems?.length
    ? [...tls.rootCertificates, ...ctx.https.extraCaPems]
    : undefined;
  let last: HttpsFetchFailed | undefined;
  for (const address of addresses) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      return await requestOnce({ url, parsed, host, address, port, ca, maxBytes, opts, remaining });
    } catch (err) {
      last = err as HttpsFetchFailed;
      // Only "nobody listening" is worth trying the next address for.
      if (last.reason !== 'refused') throw last;
    }
  }
  throw last ?? new HttpsFetchFailed('timeout', `fetching ${url} timed out`, 'ETIMEDOUT');
}

function requestOnce(a: {
  url: string;
  parsed: URL;
  host: string;
  address: string;
  port: number;
  ca: string[] | undefined;
  maxBytes: number;
  opts: HttpsGetOptions;
  remaining: number;
}): Promise<HttpsResponse> {
  return new Promise<HttpsResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: HttpsFetchFailed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = https.request({
      host: a.address,
      port: a.port,
      servername: net.isIP(a.host) ? undefined : a.host,
      path: `${a.parsed.pathname}${a.parsed.search}`,
      method: 'GET',
      agent: false,
      ca: a.ca,
      headers: {
        host: a.parsed.port ? `${a.host}:${a.parsed.port}` : a.host,
        accept: a.opts.accept ?? '*/*',
        'user-agent': 'Perimeter-scanner',
      },
      checkServerIdentity: (_hostname, cert) => tls.checkServerIdentity(a.host, cert),
    });
    const timer = setTimeout(
      () => fail(new HttpsFetchFailed('timeout', `fetching ${a.url} timed out`, 'ETIMEDOUT')),
      a.remaining,
    );
    req.on('error', (err: NodeJS.ErrnoException) => fail(classify(err, a.url)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > a.maxBytes) {
        fail(new ResponseTooLarge(a.url, a.maxBytes));
        return;
      }
      const socket = res.socket as tls.TLSSocket;
      const peer = socket.getPeerCertificate?.() ?? ({} as tls.PeerCertificate);
      const certificate = {
        subject: String(peer.subject?.CN ?? ''),
        issuer: String(peer.issuer?.CN ?? ''),
        validTo: peer.valid_to ?? '',
        san: (peer.subjectaltname ?? '')
          .split(', ')
          .filter((s) => s.startsWith('DNS:'))
          .map((s) => s.slice(4)),
      };
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > a.maxBytes) fail(new ResponseTooLarge(a.url, a.maxBytes));
        else chunks.push(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(classify(err, a.url)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), certificate });
      });
    });
    req.end();
  });
}

function classify(err: NodeJS.ErrnoException, url: string): HttpsFetchFailed {
  const code = err.code ?? 'EUNKNOWN';
  const msg = `fetching ${url}: ${err.message}`;
  if (code === 'ECONNREFUSED') return new HttpsFetchFailed('refused', msg, code);
  if (code === 'ETIMEDOUT') return new HttpsFetchFailed('timeout', msg, code);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ALTNAME|EPROTO/.test(code)) {
    return new HttpsFetchFailed('tls', msg, code);
  }
  return new HttpsFetchFailed('protocol', msg, code);
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpsFetchFailed('timeout', message, 'ETIMEDOUT')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** What Node's TLS verification said about the certificate an HTTPS server presented. */
export interface TlsVerification {
  /** Chain to a trusted root (system roots plus extra CAs), dates and hostname all good. */
  authorized: boolean;
  /** Node's verification error code (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, …). */
  error?: string;
  /** Hostname check on its own (`tls.checkServerIdentity`), whatever the chain said. */
  hostnameMatches: boolean;
  /** Chain check on its own: the chain error when it is not about dates or the hostname. */
  chainError?: string;
  expired: boolean;
  notYetValid: boolean;
  selfSigned: boolean;
  protocol: string | null;
  certificate: {
    subject: string;
    issuer: string;
    validFrom: string;
    validTo: string;
    san: string[];
  } | null;
}

export interface WebResponse {
  url: string;
  status: number;
  /** Lower-case names; each repeated header kept apart (`set-cookie`, several HSTS headers). */
  headers: Record<string, string[]>;
  /** At most `maxBytes`; `truncated` says the server sent more, which was not read. */
  body: Buffer;
  truncated: boolean;
  /** HTTPS only. */
  tls?: TlsVerification;
}

export interface WebGetOptions {
  /** Bytes of body kept (default 0: headers only); the rest is not read and the connection closed. */
  maxBytes?: number;
  /** Default `ctx.https.webTimeoutMs`, else `ctx.https.timeoutMs`, else 5000. */
  timeoutMs?: number;
  accept?: string;
  /**
   * Addresses already resolved (through the guard) during this scan, by host: a scan asks for
   * the same few hosts many times. The caller owns it and drops it after the scan.
   */
  resolved?: Map<string, Promise<string[]>>;
}

// Parsing ~150 root certificates for every request costs more than the request: one trust
// store per list of extra CAs (the configuration's list lives as long as the worker).
const trustStores = new WeakMap<string[], tls.SecureContext>();
function trustStore(extraCaPems: string[] | undefined): tls.SecureContext | undefined {
  if (!extraCaPems?.length) return undefined;
  let context = trustStores.get(extraCaPems);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaPems] });
    trustStores.set(extraCaPems, context);
  }
  return context;
}

const CHAIN_DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * One GET over HTTP or HTTPS as the web scanner needs it: resolved through the scanners'
 * resolver and target guard, no redirects followed, the body truncated (never an error: a
 * hostile server cannot make the scanner read more than `maxBytes`). Unlike `httpsGet`, an
 * untrusted certificate does not stop the request: Node's verification result is returned in
 * `tls`, so the scanner can report a bad certificate and still see what the server answers.
 * Fails with `HttpsFetchFailed` when no response arrives (refused, timeout, handshake, DNS).
 */
export async function webGet(
  url: string,
  ctx: CheckContext,
  opts: WebGetOptions = {},
): Promise<WebResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpsFetchFailed('protocol', `not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new HttpsFetchFailed('protocol', `not http(s): ${url}`);
  }
  const secure = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const timeoutMs = opts.timeoutMs ?? ctx.https?.webTimeoutMs ?? ctx.https?.timeoutMs ?? 5000;
  const port = parsed.port
    ? Number(parsed.port)
    : secure
      ? (ctx.https?.port ?? 443)
      : (ctx.https?.httpPort ?? 80);
  const deadline = Date.now() + timeoutMs;
  let lookup = opts.resolved?.get(host);
  if (!lookup) {
    lookup = allowedAddresses(host, ctx, timeoutMs);
    opts.resolved?.set(host, lookup);
    // A timeout is not an answer worth keeping.
    lookup.catch((err: unknown) => {
      if ((err as HttpsFetchFailed).reason === 'timeout') opts.resolved?.delete(host);
    });
  }
  const addresses = await lookup;
  const secureContext = trustStore(ctx.https?.extraCaPems);
  let last: HttpsFetchFailed | undefined;
  for (const address of addresses) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      return await webRequestOnce({
        url,
        parsed,
        secure,
        host,
        address,
        port,
        secureContext,
        opts,
        remaining,
      });
    } catch (err) {
      last = err as HttpsFetchFailed;
      if (last.reason !== 'refused') throw last;
    }
  }
  throw last ?? new HttpsFetchFailed('timeout', `fetching ${url} timed out`, 'ETIMEDOUT');
}

async function allowedAddresses(
  host: string,
  ctx: CheckContext,
  timeoutMs: number,
): Promise<string[]> {
  try {
    return (
      await withTimeout(
        resolveTarget(host, ctx.resolver, { allowPrivateTargets: ctx.allowPrivateTargets }),
        timeoutMs,
        `resolving ${host} timed out`,
      )
    ).allowed;
  } catch (err) {
    if (err instanceof HttpsFetchFailed) throw err;
    if (err instanceof TargetNotAllowed) {
      throw new HttpsFetchFailed('target-not-allowed', err.message);
    }
    if (err instanceof TargetUnresolvable)
      throw new HttpsFetchFailed('dns', err.message, 'ENOTFOUND');
    const e = err as NodeJS.ErrnoException;
    throw new HttpsFetchFailed('dns', `resolving ${host}: ${e.message}`, e.code ?? 'EUNKNOWN');
  }
}

function verification(socket: tls.TLSSocket, host: string): TlsVerification {
  const peer = socket.getPeerCertificate?.(true) as tls.DetailedPeerCertificate | undefined;
  const has = peer && Object.keys(peer).length > 0;
  const error = socket.authorized ? undefined : String(socket.authorizationError ?? 'UNKNOWN');
  const now = Date.now();
  const validFrom = has ? Date.parse(peer.valid_from) : NaN;
  const validTo = has ? Date.parse(peer.valid_to) : NaN;
  const hostnameMatches = has ? !tls.checkServerIdentity(host, peer) : false;
  return {
    authorized: socket.authorized,
    error,
    hostnameMatches,
    chainError:
      error && !CHAIN_DATE_ERRORS.has(error) && error !== 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? error
        : undefined,
    expired: Number.isFinite(validTo) && validTo < now,
    notYetValid: Number.isFinite(validFrom) && validFrom > now,
    selfSigned:
      error === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      Boolean(has && peer.issuerCertificate === peer && peer.subject?.CN === peer.issuer?.CN),
    protocol: socket.getProtocol?.() ?? null,
    certificate: has
      ? {
          subject: String(peer.subject?.CN ?? ''),
          issuer: String(peer.issuer?.CN ?? ''),
          validFrom: peer.valid_from ?? '',
          validTo: peer.valid_to ?? '',
          san: (peer.subjectaltname ?? '')
            .split(', ')
            .filter((s) => s.startsWith('DNS:'))
            .map((s) => s.slice(4)),
        }
      : null,
  };
}

function webRequestOnce(a: {
  url: string;
  parsed: URL;
  secure: boolean;
  host: string;
  address: string;
  port: number;
  secureContext: tls.SecureContext | undefined;
  opts: WebGetOptions;
  remaining: number;
}): Promise<WebResponse> {
  const maxBytes = a.opts.maxBytes ?? 0;
  return new Promise<WebResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: HttpsFetchFailed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const common = {
      host: a.address,
      port: a.port,
      path: `${a.parsed.pathname}${a.parsed.search}`,
      method: 'GET',
      agent: false as const,
      headers: {
        host: a.parsed.port ? `${a.host}:${a.parsed.port}` : a.host,
        accept: a.opts.accept ?? '*/*',
        'user-agent': 'Perimeter-scanner',
      },
    };
    const req = a.secure
      ? https.request({
          ...common,
          servername: net.isIP(a.host) ? undefined : a.host,
          secureContext: a.secureContext,
          // Verified all the same: the result is read from the socket and reported.
          rejectUnauthorized: false,
          checkServerIdentity: (_hostname, cert) => tls.checkServerIdentity(a.host, cert),
        } as https.RequestOptions)
      : http.request(common);
    const timer = setTimeout(
      () => fail(new HttpsFetchFailed('timeout', `fetching ${a.url} timed out`, 'ETIMEDOUT')),
      a.remaining,
    );
    req.on('error', (err: NodeJS.ErrnoException) => fail(classify(err, a.url)));
    req.on('response', (res) => {
      const tlsInfo = a.secure ? verification(res.socket as tls.TLSSocket, a.host) : undefined;
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(res.headersDistinct)) if (v) headers[k] = v;
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          url: a.url,
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks),
          truncated,
          tls: tlsInfo,
        });
      };
      if (maxBytes === 0) {
        // Headers only: the body is never read, whatever its size.
        finish();
        req.destroy();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          truncated = true;
          finish();
          req.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(classify(err, a.url)));
      res.on('end', finish);
    });
    req.end();
  });
}
