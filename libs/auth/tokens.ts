import { randomUUID } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { AuthConfigError, InvalidToken, type InvalidTokenReason } from './errors';

/** What a verified bearer token says about its holder. */
export interface VerifiedToken {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified?: boolean;
  expiresAt: Date;
}

/** Verifies tokens from one issuer; every refusal is an InvalidToken. */
export interface TokenVerifier {
  readonly issuer: string;
  verify(token: string): Promise<VerifiedToken>;
}

export interface LocalTokenIssuer extends TokenVerifier {
  issue(claims: { sub: string; email: string }): Promise<{ token: string; expiresAt: Date }>;
}

export interface LocalTokenIssuerOptions {
  /** HMAC key; at least 32 characters. */
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface OidcVerifierOptions {
  /** Exactly as the identity provider writes it in `iss`. */
  issuer: string;
  audience: string;
  /** Default: `jwks_uri` from `${issuer}/.well-known/openid-configuration`, fetched once. */
  jwksUrl?: string;
  /** Default: RS256, ES256, EdDSA, PS256. Symmetric algorithms and `none` are refused. */
  algorithms?: string[];
  /** Timeout of the discovery and JWKS requests; default 5000 ms. */
  timeoutMs?: number;
}

/** Real tokens are well under 2 KB; the cap keeps hostile headers from reaching the parser. */
export const MAX_TOKEN_LENGTH = 8 * 1024;
export const LOCAL_SECRET_MIN_LENGTH = 32;
// Small, so honest clock skew passes but an expired token is not given minutes of extra life.
const CLOCK_TOLERANCE_SECONDS = 5;
const DEFAULT_OIDC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'];
// Asymmetric only: an HMAC algorithm here would let anyone holding the public JWKS sign tokens.
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
// A JWKS where several keys fit a kid-less token is tried key by key, but not without end.
const MAX_CANDIDATE_KEYS = 4;
const MAX_DISCOVERY_CHARS = 512 * 1024;
// Three non-empty base64url parts: rejects JWE (five parts) and unsigned `alg: none` tokens early.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function checkShape(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new InvalidToken('malformed');
  }
}

/** The identity provider's keys could not be had (discovery or JWKS): not the token's fault. */
class JwksUnavailable extends Error {
  override readonly name = 'JwksUnavailable';
}

function reasonFor(err: unknown): InvalidTokenReason {
  if (err instanceof JwksUnavailable || err instanceof errors.JWKSTimeout) {
    return 'jwks-unavailable';
  }
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'wrong-issuer';
    if (err.claim === 'aud') return 'wrong-audience';
    return 'invalid';
  }
  // A key we do not hold: to the caller that is a signature we cannot trust.
  if (
    err instanceof errors.JWSSignatureVerificationFailed ||
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'bad-signature';
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return 'unsupported-algorithm';
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'malformed';
  return 'invalid';
}

function toInvalidToken(err: unknown): InvalidToken {
  return err instanceof InvalidToken ? err : new InvalidToken(reasonFor(err), { cause: err });
}

function toVerifiedToken(payload: JWTPayload): VerifiedToken {
  const { iss, sub, exp, email, email_verified: emailVerified } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub === '' || typeof exp !== 'number') {
    throw new InvalidToken('invalid');
  }
  const expiresAt = new Date(exp * 1000);
  if (Number.isNaN(expiresAt.getTime())) throw new InvalidToken('invalid');
  return {
    issuer: iss,
    subject: sub,
    // Anything but a string or a boolean is dropped rather than guessed at.
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof emailVerified === 'boolean' ? { emailVerified } : {}),
    expiresAt,
  };
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AuthConfigError(`${what} must be a non-empty string`);
  }
  return value;
}

/** Perimeter's own HS256 tokens, for email and password sign-in on the embedded stack. */
export function createLocalTokenIssuer(options: LocalTokenIssuerOptions): LocalTokenIssuer {
  const { secret, ttlSeconds } = options;
  if (typeof secret !== 'string' || secret.length < LOCAL_SECRET_MIN_LENGTH) {
    throw new AuthConfigError(
      `the local token secret must be at least ${LOCAL_SECRET_MIN_LENGTH} characters`,
    );
  }
  const issuer = requireText(options.issuer, 'the local token issuer');
  const audience = requireText(options.audience, 'the local token audience');
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new AuthConfigError(
      'the local token lifetime must be a positive whole number of seconds',
    );
  }
  const key = new TextEncoder().encode(secret);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: ['HS256'],
    issuer,
    audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    // A token never outlives the configured lifetime, even one issued under a longer one.
    maxTokenAge: ttlSeconds,
  };

  return {
    issuer,
    async issue({ sub, email }) {
      if (typeof sub !== 'string' || sub === '' || typeof email !== 'string') {
        throw new TypeError('a token needs a non-empty subject and an email');
      }
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const token = await new SignJWT({ email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        // Unique per token, so a revocation list or an audit entry can name one token.
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      try {
        checkShape(token);
        const { payload } = await jwtVerify(token, key, verifyOptions);
        return toVerifiedToken(payload);
      } catch (err) {
        throw toInvalidToken(err);
      }
    },
  };
}

function parseHttpUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new AuthConfigError(`${what} is not a URL: ${JSON.stringify(value)}`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthConfigError(`${what} must be an http(s) URL`);
  }
  return url;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// OpenID Connect Discovery 1.0 section 4: strip a trailing slash, append the well-known path, and
// require the document's issuer to be exactly the one asked about (section 4.3).
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    // Redirects could carry the request somewhere the operator never configured.
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    throw new JwksUnavailable(`discovery answered HTTP ${response.status}`);
  }
  const text = await response.text();
  if (text.length > MAX_DISCOVERY_CHARS) throw new JwksUnavailable('discovery document too large');
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc) || doc.issuer !== issuer) {
    throw new JwksUnavailable('discovery document is for another issuer');
  }
  if (typeof doc.jwks_uri !== 'string') throw new JwksUnavailable('discovery has no jwks_uri');
  const jwksUri = new URL(doc.jwks_uri);
  if (!jwksUriAllowed(issuer, jwksUri))
    throw new JwksUnavailable('jwks_uri has a disallowed scheme');
  return jwksUri;
}

// Keys fetched over plain HTTP could be swapped in transit: http only for an http issuer (the lab).
/** Whether keys may be fetched from `jwksUri` for this issuer; exported for tests. */
export function jwksUriAllowed(issuer: string, jwksUri: URL): boolean {
  const allowed = new URL(issuer).protocol === 'http:' ? ['http:', 'https:'] : ['https:'];
  return allowed.includes(jwksUri.protocol);
}

/** Verifies an OpenID Connect provider's tokens against its published keys. */
export function createOidcVerifier(options: OidcVerifierOptions): TokenVerifier {
  const issuer = requireText(options.issuer, 'the OIDC issuer');
  parseHttpUrl(issuer, 'the OIDC issuer');
  const audience = requireText(options.audience, 'the OIDC audience');
  const jwksUrl =
    options.jwksUrl === undefined ? undefined : parseHttpUrl(options.jwksUrl, 'the OIDC JWKS URL');
  const algorithms = options.algorithms ?? DEFAULT_OIDC_ALGORITHMS;
  if (algorithms.length === 0 || !algorithms.every((a) => ASYMMETRIC_ALGORITHMS.has(a))) {
    throw new AuthConfigError(
      `OIDC algorithms must be asymmetric signature algorithms, got ${JSON.stringify(algorithms)}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new AuthConfigError('the OIDC timeout must be a positive whole number of milliseconds');
  }

  // Lazy: the API must start while the identity provider is down; a failed discovery is retried.
  let keySet: JWTVerifyGetKey | undefined;
  let pendingKeySet: Promise<JWTVerifyGetKey> | undefined;
  function loadKeySet(): Promise<JWTVerifyGetKey> {
    if (keySet) return Promise.resolve(keySet);
    pendingKeySet ??= (async () => {
      const url = jwksUrl ?? (await discoverJwksUri(issuer, timeoutMs));
      // jose caches the set, refetches on an unknown kid at most every 30 s, and refreshes it.
      keySet = createRemoteJWKSet(url, { timeoutDuration: timeoutMs });
      return keySet;
    })().finally(() => {
      pendingKeySet = undefined;
    });
    return pendingKeySet;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    let set: JWTVerifyGetKey;
    try {
      set = await loadKeySet();
    } catch (cause) {
      throw new JwksUnavailable('cannot discover the JWKS', { cause });
    }
    try {
      return await set(header, token);
    } catch (err) {
      // These say something about the token; everything else is the provider being unreachable.
      if (
        err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys ||
        err instanceof errors.JOSENotSupported
      ) {
        throw err;
      }
      throw new JwksUnavailable('cannot fetch the JWKS', { cause: err });
    }
  };

  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    issuer,
    audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
  };

  async function verifyWithEachKey(
    token: string,
    err: errors.JWKSMultipleMatchingKeys,
  ): Promise<JWTPayload> {
    let tried = 0;
    for await (const key of err) {
      if (++tried > MAX_CANDIDATE_KEYS) break;
      try {
        return (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }

  return {
    issuer,
    async verify(token) {
      try {
        checkShape(token);
        let payload: JWTPayload;
        try {
          payload = (await jwtVerify(token, getKey, verifyOptions)).payload;
        } catch (err) {
          if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
          payload = await verifyWithEachKey(token, err);
        }
        return toVerifiedToken(payload);
      } catch (err) {
        throw toInvalidToken(err);
      }
    },
  };
}

/** Routes each token to the verifier of the issuer it claims; the chosen one does the checking. */
export function createTokenVerifier(verifiers: ReadonlyArray<TokenVerifier>): {
  verify(token: string): Promise<VerifiedToken>;
} {
  // A Map, not an object: an `iss` of "__proto__" or "constructor" must find nothing.
  const byIssuer = new Map<string, TokenVerifier>();
  for (const v of verifiers) {
    if (byIssuer.has(v.issuer)) {
      throw new AuthConfigError(`two token verifiers for issuer ${JSON.stringify(v.issuer)}`);
    }
    byIssuer.set(v.issuer, v);
  }
  return {
    async verify(token) {
      checkShape(token);
      let iss: unknown;
      try {
        // Unverified on purpose: it only picks the verifier, which then checks `iss` itself.
        iss = decodeJwt(token).iss;
      } catch (cause) {
        throw new InvalidToken('malformed', { cause });
      }
      const verifier = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
      if (!verifier) throw new InvalidToken('wrong-issuer');
      try {
        return await verifier.verify(token);
      } catch (err) {
        throw err instanceof InvalidToken ? err : new InvalidToken('invalid', { cause: err });
      }
    },
  };
}
