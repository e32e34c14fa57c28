import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthConfigError, InvalidToken, type InvalidTokenReason } from './errors';
import {
  createLocalTokenIssuer,
  createOidcVerifier,
  createTokenVerifier,
  jwksUriAllowed,
  type TokenVerifier,
  type VerifiedToken,
} from './tokens';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const LOCAL = {
  secret: SECRET,
  issuer: 'perimeter-local',
  audience: 'perimeter',
  ttlSeconds: 3600,
};
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The reason a verification was refused; fails the test if it succeeded or threw anything else. */
async function reasonOf(verification: Promise<unknown>): Promise<InvalidTokenReason> {
  const outcome = await verification.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected InvalidToken, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(InvalidToken);
  const err = outcome.error as InvalidToken;
  // The message is the same whatever the reason, so it cannot tell a caller which check failed.
  expect(err.message).toBe('invalid token');
  return err.reason;
}

function localJwt(claims: JWTPayload, secret = SECRET, alg = 'HS256') {
  return new SignJWT({ email: 'ada@example.com', jti: 'j-1', ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

const localClaims = () => ({
  iss: LOCAL.issuer,
  aud: LOCAL.audience,
  sub: 'user-1',
  iat: now(),
  exp: now() + 600,
});

function unsignedJwt(payload: JWTPayload, signature = '') {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.${signature}`;
}

function withPayload(token: string, change: (p: JWTPayload) => JWTPayload) {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
  return `${header}.${b64(change(claims))}.${signature}`;
}

describe('createLocalTokenIssuer', () => {
  const local = createLocalTokenIssuer(LOCAL);

  it('issues a token that verifies, with jti, iat and exp', async () => {
    const before = Date.now();
    const { token, expiresAt } = await local.issue({ sub: 'user-1', email: 'ada@example.com' });
    expect(expiresAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: LOCAL.issuer, aud: LOCAL.audience, sub: 'user-1' });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);

    const verified = await local.verify(token);
    expect(verified).toEqual<VerifiedToken>({
      issuer: LOCAL.issuer,
      subject: 'user-1',
      email: 'ada@example.com',
      expiresAt,
    });
  });

  it('gives every token its own jti', async () => {
    const a = await local.issue({ sub: 'user-1', email: 'ada@example.com' });
    const b = await local.issue({ sub: 'user-1', email: 'ada@example.com' });
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });

  it('works as a detached function (the API passes `verify` around unbound)', async () => {
    const { verify } = local;
    const { token } = await local.issue({ sub: 'user-2', email: 'bob@example.com' });
    await expect(verify(token)).resolves.toMatchObject({ subject: 'user-2' });
  });

  it("refuses an expired token as 'expired'", async () => {
    const token = await localJwt({ ...localClaims(), iat: now() - 7200, exp: now() - 3600 });
    expect(await reasonOf(local.verify(token))).toBe('expired');
  });

  it('allows a few seconds of clock skew, not more', async () => {
    const justExpired = await localJwt({ ...localClaims(), exp: now() - 2 });
    await expect(local.verify(justExpired)).resolves.toMatchObject({ subject: 'user-1' });
    const expired = await localJwt({ ...localClaims(), exp: now() - 30 });
    expect(await reasonOf(local.verify(expired))).toBe('expired');
  });

  it('refuses a token older than the configured lifetime, whatever its exp says', async () => {
    const token = await localJwt({ ...localClaims(), iat: now() - 7200, exp: now() + 3600 });
    expect(await reasonOf(local.verify(token))).toBe('expired');
  });

  it("refuses a tampered payload as 'bad-signature'", async () => {
    const { token } = await local.issue({ sub: 'user-1', email: 'ada@example.com' });
    const promoted = withPayload(token, (p) => ({ ...p, sub: 'admin-user' }));
    expect(await reasonOf(local.verify(promoted))).toBe('bad-signature');
  });

  it("refuses a token signed with another secret as 'bad-signature'", async () => {
    const token = await localJwt(localClaims(), 'another-secret-that-is-also-long-enough!!');
    expect(await reasonOf(local.verify(token))).toBe('bad-signature');
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    const aud = await localJwt({ ...localClaims(), aud: 'someone-else' });
    expect(await reasonOf(local.verify(aud))).toBe('wrong-audience');
    const iss = await localJwt({ ...localClaims(), iss: 'someone-else' });
    expect(await reasonOf(local.verify(iss))).toBe('wrong-issuer');
  });

  it("refuses alg 'none', with or without a signature", async () => {
    expect(await reasonOf(local.verify(unsignedJwt(localClaims())))).toBe('malformed');
    const withJunk = unsignedJwt(localClaims(), 'c2lnbmF0dXJl');
    expect(await reasonOf(local.verify(withJunk))).toBe('unsupported-algorithm');
  });

  it('refuses another HMAC algorithm, even with the right secret', async () => {
    const token = await localJwt(localClaims(), SECRET, 'HS512');
    expect(await reasonOf(local.verify(token))).toBe('unsupported-algorithm');
  });

  it.each(['sub', 'exp', 'iat', 'jti'])("refuses a token without '%s' as 'invalid'", async (c) => {
    const claims: JWTPayload = { ...localClaims(), jti: 'j-1' };
    delete claims[c];
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    expect(await reasonOf(local.verify(token))).toBe('invalid');
  });

  it("refuses a token not yet valid as 'invalid'", async () => {
    const token = await localJwt({ ...localClaims(), nbf: now() + 600 });
    expect(await reasonOf(local.verify(token))).toBe('invalid');
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['one word', 'token'],
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['a JWE (five parts)', 'a.b.c.d.e'],
    ['base64url garbage', 'aaaa.bbbb.cccc'],
    ['padding', 'eyJhbGciOiJIUzI1NiJ9=.e30.c2ln'],
    ['spaces', 'eyJhbGciOiJIUzI1NiJ9 .e30.c2ln'],
    ['header not JSON', `${Buffer.from('{').toString('base64url')}.e30.c2ln`],
    ['header an array', `${b64([1])}.e30.c2ln`],
    ['9 KB', `${'a'.repeat(9 * 1024)}.e30.c2ln`],
    ['null', null],
    ['a number', 42],
  ])("refuses %s as 'malformed'", async (_what, token) => {
    expect(await reasonOf(local.verify(token as string))).toBe('malformed');
  });

  it('refuses weak or incomplete settings with AuthConfigError', () => {
    expect(() => createLocalTokenIssuer({ ...LOCAL, secret: 'x'.repeat(31) })).toThrow(
      AuthConfigError,
    );
    expect(() => createLocalTokenIssuer({ ...LOCAL, ttlSeconds: 0 })).toThrow(AuthConfigError);
    expect(() => createLocalTokenIssuer({ ...LOCAL, ttlSeconds: 1.5 })).toThrow(AuthConfigError);
    expect(() => createLocalTokenIssuer({ ...LOCAL, issuer: '' })).toThrow(AuthConfigError);
    expect(() => createLocalTokenIssuer({ ...LOCAL, audience: ' ' })).toThrow(AuthConfigError);
    expect(() => createLocalTokenIssuer({ ...LOCAL, secret: 'x'.repeat(32) })).not.toThrow();
  });
});

/** A real identity provider on loopback: discovery, JWKS, and a few ways of misbehaving. */
class FakeIdp {
  server!: Server;
  issuer = '';
  hits: Record<string, number> = {};
  jwks: { keys: JWK[] } = { keys: [] };
  multiJwks: { keys: JWK[] } = { keys: [] };
  discoveryIssuer?: string;
  discoveryDown = false;

  async start() {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '';
    this.hits[path] = (this.hits[path] ?? 0) + 1;
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      if (this.discoveryDown) {
        res.writeHead(503);
        return res.end();
      }
      return json({ issuer: this.discoveryIssuer ?? this.issuer, jwks_uri: `${this.issuer}/jwks` });
    }
    if (path === '/jwks') return json(this.jwks);
    if (path === '/jwks-multi') return json(this.multiJwks);
    if (path === '/jwks-500') {
      res.writeHead(500);
      return res.end('oops');
    }
    if (path === '/jwks-not-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"keys": [');
    }
    if (path === '/jwks-hang') return; // never answers
    res.writeHead(404);
    res.end();
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL on a port where nothing listens. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('createOidcVerifier against a real HTTP identity provider', () => {
  const idp = new FakeIdp();
  const AUDIENCE = 'perimeter-api';
  let trusted: { privateKey: CryptoKey; publicKey: CryptoKey };
  let untrusted: { privateKey: CryptoKey; publicKey: CryptoKey };
  let multiA: { privateKey: CryptoKey; publicKey: CryptoKey };
  let multiB: { privateKey: CryptoKey; publicKey: CryptoKey };
  let oidc: TokenVerifier;

  beforeAll(async () => {
    await idp.start();
    trusted = await generateKeyPair('ES256');
    untrusted = await generateKeyPair('ES256');
    multiA = await generateKeyPair('ES256');
    multiB = await generateKeyPair('ES256');
    idp.jwks = {
      keys: [{ ...(await exportJWK(trusted.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }],
    };
    // No kids: a kid-less token matches both, and the verifier must try each.
    idp.multiJwks = {
      keys: [await exportJWK(multiA.publicKey), await exportJWK(multiB.publicKey)],
    };
    oidc = createOidcVerifier({ issuer: idp.issuer, audience: AUDIENCE });
  });
  afterAll(() => idp.stop());

  const claims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: idp.issuer,
    aud: AUDIENCE,
    sub: 'oidc-subject-1',
    email: 'ada@example.com',
    email_verified: true,
    iat: now(),
    exp: now() + 300,
    ...extra,
  });
  const sign = (
    payload: JWTPayload,
    key: CryptoKey | Uint8Array = trusted.privateKey,
    header: { alg: string; kid?: string } = { alg: 'ES256', kid: 'k1' },
  ) => new SignJWT(payload).setProtectedHeader({ typ: 'JWT', ...header }).sign(key);

  it('verifies a valid token, discovering the JWKS once and caching it', async () => {
    const token = await sign(claims());
    const verified = await oidc.verify(token);
    expect(verified).toEqual<VerifiedToken>({
      issuer: idp.issuer,
      subject: 'oidc-subject-1',
      email: 'ada@example.com',
      emailVerified: true,
      expiresAt: new Date((decodeJwt(token).exp ?? 0) * 1000),
    });
    await oidc.verify(await sign(claims({ sub: 'oidc-subject-2' })));
    await oidc.verify(await sign(claims({ email_verified: false })));
    expect(idp.hits['/.well-known/openid-configuration']).toBe(1);
    expect(idp.hits['/jwks']).toBe(1);
  });

  it('passes email_verified through only when it is a boolean', async () => {
    const v = await oidc.verify(await sign(claims({ email_verified: 'true', email: 42 })));
    expect(v.emailVerified).toBeUndefined();
    expect(v.email).toBeUndefined();
  });

  it("refuses another issuer as 'wrong-issuer'", async () => {
    const token = await sign(claims({ iss: 'https://evil.example' }));
    expect(await reasonOf(oidc.verify(token))).toBe('wrong-issuer');
  });

  it("refuses another audience as 'wrong-audience'", async () => {
    const token = await sign(claims({ aud: 'some-other-app' }));
    expect(await reasonOf(oidc.verify(token))).toBe('wrong-audience');
  });

  it("refuses an expired token as 'expired'", async () => {
    const token = await sign(claims({ iat: now() - 7200, exp: now() - 3600 }));
    expect(await reasonOf(oidc.verify(token))).toBe('expired');
  });

  it("refuses a signature by a key not in the JWKS as 'bad-signature'", async () => {
    // Under a kid the JWKS does not have...
    const unknownKid = await sign(claims(), untrusted.privateKey, { alg: 'ES256', kid: 'k2' });
    expect(await reasonOf(oidc.verify(unknownKid))).toBe('bad-signature');
    // ...and passing itself off under the trusted kid.
    const stolenKid = await sign(claims(), untrusted.privateKey, { alg: 'ES256', kid: 'k1' });
    expect(await reasonOf(oidc.verify(stolenKid))).toBe('bad-signature');
  });

  it("refuses a tampered payload as 'bad-signature'", async () => {
    const token = withPayload(await sign(claims()), (p) => ({ ...p, sub: 'someone-else' }));
    expect(await reasonOf(oidc.verify(token))).toBe('bad-signature');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(trusted.publicKey));
    const jwkBytes = new TextEncoder().encode(JSON.stringify(idp.jwks.keys[0]));
    for (const secret of [pem, jwkBytes]) {
      const token = await sign(claims(), secret, { alg: 'HS256', kid: 'k1' });
      expect(await reasonOf(oidc.verify(token))).toBe('unsupported-algorithm');
    }
  });

  it("refuses alg 'none'", async () => {
    expect(await reasonOf(oidc.verify(unsignedJwt(claims())))).toBe('malformed');
    const withJunk = unsignedJwt(claims(), 'c2lnbmF0dXJl');
    expect(await reasonOf(oidc.verify(withJunk))).toBe('unsupported-algorithm');
  });

  it('refuses an algorithm left out of the configured list', async () => {
    const es256Only = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    });
    expect(await reasonOf(es256Only.verify(await sign(claims())))).toBe('unsupported-algorithm');
  });

  it('tries each key when several fit a token without kid', async () => {
    const multi = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      jwksUrl: `${idp.issuer}/jwks-multi`,
    });
    const byB = await sign(claims(), multiB.privateKey, { alg: 'ES256' });
    await expect(multi.verify(byB)).resolves.toMatchObject({ subject: 'oidc-subject-1' });
    const byStranger = await sign(claims(), untrusted.privateKey, { alg: 'ES256' });
    expect(await reasonOf(multi.verify(byStranger))).toBe('bad-signature');
  });

  it("reports an unreachable JWKS as 'jwks-unavailable'", async () => {
    const token = await sign(claims());
    const dead = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      jwksUrl: `${await deadUrl()}/jwks`,
    });
    expect(await reasonOf(dead.verify(token))).toBe('jwks-unavailable');
    for (const path of ['/jwks-500', '/jwks-not-json', '/nowhere']) {
      const broken = createOidcVerifier({
        issuer: idp.issuer,
        audience: AUDIENCE,
        jwksUrl: `${idp.issuer}${path}`,
      });
      expect(await reasonOf(broken.verify(token)), path).toBe('jwks-unavailable');
    }
  });

  it("reports a JWKS that does not answer in time as 'jwks-unavailable'", async () => {
    const slow = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      jwksUrl: `${idp.issuer}/jwks-hang`,
      timeoutMs: 200,
    });
    const started = Date.now();
    expect(await reasonOf(slow.verify(await sign(claims())))).toBe('jwks-unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reports an unreachable discovery document as 'jwks-unavailable'", async () => {
    const issuer = await deadUrl();
    const verifier = createOidcVerifier({ issuer, audience: AUDIENCE });
    const token = await sign(claims({ iss: issuer }));
    expect(await reasonOf(verifier.verify(token))).toBe('jwks-unavailable');
  });

  it('does not cache a failed discovery: it works once the provider is back', async () => {
    const verifier = createOidcVerifier({ issuer: idp.issuer, audience: AUDIENCE });
    const token = await sign(claims());
    idp.discoveryDown = true;
    try {
      expect(await reasonOf(verifier.verify(token))).toBe('jwks-unavailable');
    } finally {
      idp.discoveryDown = false;
    }
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'oidc-subject-1' });
  });

  it('refuses a discovery document that names another issuer', async () => {
    idp.discoveryIssuer = 'https://evil.example';
    try {
      const verifier = createOidcVerifier({ issuer: idp.issuer, audience: AUDIENCE });
      expect(await reasonOf(verifier.verify(await sign(claims())))).toBe('jwks-unavailable');
    } finally {
      idp.discoveryIssuer = undefined;
    }
  });

  it('takes keys over plain HTTP only from an http issuer (the lab)', () => {
    const https = 'https://idp.example';
    expect(jwksUriAllowed(https, new URL('https://idp.example/jwks'))).toBe(true);
    expect(jwksUriAllowed(https, new URL('http://idp.example/jwks'))).toBe(false);
    expect(jwksUriAllowed(https, new URL('file:///etc/jwks.json'))).toBe(false);
    expect(jwksUriAllowed(idp.issuer, new URL(`${idp.issuer}/jwks`))).toBe(true);
    expect(jwksUriAllowed(idp.issuer, new URL('ftp://idp.example/jwks'))).toBe(false);
  });

  it('refuses symmetric and unsigned algorithms in its settings', () => {
    for (const algorithms of [['HS256'], ['none'], ['ES256', 'HS512'], []]) {
      expect(() =>
        createOidcVerifier({ issuer: idp.issuer, audience: AUDIENCE, algorithms }),
      ).toThrow(AuthConfigError);
    }
    expect(() => createOidcVerifier({ issuer: 'not a url', audience: AUDIENCE })).toThrow(
      AuthConfigError,
    );
    expect(() => createOidcVerifier({ issuer: 'ftp://idp.example', audience: AUDIENCE })).toThrow(
      AuthConfigError,
    );
    expect(() => createOidcVerifier({ issuer: idp.issuer, audience: '' })).toThrow(AuthConfigError);
  });

  describe('createTokenVerifier', () => {
    const local = createLocalTokenIssuer(LOCAL);
    let tokens: ReturnType<typeof createTokenVerifier>;
    beforeAll(() => {
      tokens = createTokenVerifier([local, oidc]);
    });

    it('routes each token to the verifier of its issuer', async () => {
      const { token } = await local.issue({ sub: 'user-1', email: 'ada@example.com' });
      await expect(tokens.verify(token)).resolves.toMatchObject({
        issuer: LOCAL.issuer,
        subject: 'user-1',
      });
      await expect(tokens.verify(await sign(claims()))).resolves.toMatchObject({
        issuer: idp.issuer,
        subject: 'oidc-subject-1',
      });
    });

    it("refuses an unknown or missing issuer as 'wrong-issuer'", async () => {
      const evil = await sign(claims({ iss: 'https://evil.example' }));
      expect(await reasonOf(tokens.verify(evil))).toBe('wrong-issuer');
      const { iss: _iss, ...noIss } = claims();
      expect(await reasonOf(tokens.verify(await sign(noIss)))).toBe('wrong-issuer');
      for (const iss of ['__proto__', 'constructor', 'toString']) {
        expect(await reasonOf(tokens.verify(await sign(claims({ iss })))), iss).toBe(
          'wrong-issuer',
        );
      }
    });

    it('lets the chosen verifier decide: a local-issuer token signed by the IdP', async () => {
      const forged = await sign(claims({ iss: LOCAL.issuer, aud: LOCAL.audience, jti: 'x' }));
      expect(await reasonOf(tokens.verify(forged))).toBe('unsupported-algorithm');
    });

    it("refuses a 9 KB token as 'malformed' before parsing it", async () => {
      const big = await sign(claims({ padding: 'p'.repeat(9 * 1024) }));
      expect(await reasonOf(tokens.verify(big))).toBe('malformed');
      expect(await reasonOf(oidc.verify(big))).toBe('malformed');
      expect(await reasonOf(local.verify(big))).toBe('malformed');
    });

    it.each<[string, unknown]>([
      ['empty', ''],
      ['not a JWT', 'hello'],
      [
        'payload not JSON',
        `${b64({ alg: 'ES256' })}.${Buffer.from('nope').toString('base64url')}.c2ln`,
      ],
      ['payload an array', `${b64({ alg: 'ES256' })}.${b64([1, 2])}.c2ln`],
      ['undefined', undefined],
    ])("refuses %s as 'malformed'", async (_what, token) => {
      expect(await reasonOf(tokens.verify(token as string))).toBe('malformed');
    });

    it('turns anything else a verifier throws into InvalidToken', async () => {
      const broken = createTokenVerifier([
        {
          issuer: 'https://broken.example',
          verify: () => Promise.reject(new TypeError('boom')),
        },
      ]);
      const token = await sign(claims({ iss: 'https://broken.example' }));
      expect(await reasonOf(broken.verify(token))).toBe('invalid');
    });

    it('refuses two verifiers for one issuer', () => {
      expect(() => createTokenVerifier([local, local])).toThrow(AuthConfigError);
    });
  });
});
