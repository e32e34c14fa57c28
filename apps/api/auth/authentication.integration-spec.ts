import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../libs/auth/passwords';
import {
  createDomainScan,
  createOrganisation,
  createUser,
  upsertMembership,
} from '../../../libs/db';
import { startTestOidcIssuer, type TestOidcIssuer } from '../../../test/support/oidc-issuer';
import { createApiKey } from '../../../test/support/test-principals';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const ME = '{ me { apiKeyId user { email } memberships { organisationId role } } }';
const AUDIENCE = 'perimeter-test';
const password = 'correct horse battery staple';
const code = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  res.errors?.[0]?.extensions?.code;

describe('authentication and abuse limits', () => {
  let oidc: TestOidcIssuer;
  let stack: TestStack;
  const localSecret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    oidc = await startTestOidcIssuer();
    stack = await startTestStack({
      env: {
        AUTH_LOCAL_SIGNIN: 'true',
        AUTH_LOCAL_JWT_SECRET: localSecret,
        AUTH_OIDC_ISSUER: oidc.issuer,
        AUTH_OIDC_AUDIENCE: AUDIENCE,
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await oidc?.close();
  });

  describe('API keys', () => {
    it('authenticate as their organisation and role', async () => {
      const { token, keyId } = await createApiKey(
        stack.db.dataSource,
        stack.organisationId,
        'operator',
      );
      const res = await stack.graphql<{ me: any }>(ME, {}, token);
      expect(res.data!.me).toEqual({
        apiKeyId: keyId,
        user: null,
        memberships: [{ organisationId: stack.organisationId, role: 'OPERATOR' }],
      });
      const [row] = await stack.db.dataSource.query(
        `SELECT last_used_at FROM api_key WHERE id = $1`,
        [keyId],
      );
      expect(row.last_used_at).not.toBeNull();
    });

    it('are shown once: the list has a prefix, the database only a hash', async () => {
      const created = await stack.graphql<{
        createApiKey: { token: string; apiKey: { id: string; prefix: string } };
      }>(
        `mutation($o: ID!) { createApiKey(organisationId: $o, name: "ci", role: VIEWER) { token apiKey { id prefix } } }`,
        { o: stack.organisationId },
      );
      const { token, apiKey } = created.data!.createApiKey;
      expect(token).toMatch(new RegExp(`^pmk_${apiKey.prefix.replace(/[-_]/g, '\\$&')}_`));
      const [row] = await stack.db.dataSource.query(`SELECT * FROM api_key WHERE id = $1`, [
        apiKey.id,
      ]);
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(token.slice(-43));
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      const listed = await stack.graphql(
        `query($o: ID!) { apiKeys(organisationId: $o) { id prefix name } }`,
        {
          o: stack.organisationId,
        },
      );
      expect(JSON.stringify(listed.data)).not.toContain(token.slice(-43));
    });

    it('revoked, expired, wrong secret and malformed keys are all refused alike', async () => {
      const revoked = await createApiKey(stack.db.dataSource, stack.organisationId, 'admin');
      const res = await stack.graphql(
        `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`,
        {
          id: revoked.keyId,
        },
      );
      expect(res.errors).toBeUndefined();
      const expired = await createApiKey(stack.db.dataSource, stack.organisationId, 'admin', {
        expiresAt: new Date(Date.now() - 1000),
      });
      const good = await createApiKey(stack.db.dataSource, stack.organisationId, 'admin');
      const wrongSecret = good.token.slice(0, -4) + (good.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const answers = [];
      for (const token of [
        revoked.token,
        expired.token,
        wrongSecret,
        'pmk_nonsense',
        'Basic abc',
      ]) {
        const r = await stack.graphql(ME, {}, token);
        answers.push({ code: code(r), message: r.errors?.[0].message });
      }
      expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
        new Set([
          JSON.stringify({
            code: 'UNAUTHENTICATED',
            message: 'missing, invalid or expired credentials',
          }),
        ]),
      );
      expect(code(await stack.graphql(ME, {}, good.token))).toBeUndefined();
    });

    it('of another organisation see nothing of this one', async () => {
      const other = await createOrganisation(stack.db.dataSource, {
        slug: `o-${randomUUID().slice(0, 8)}`,
        name: 'O',
      });
      const { token } = await createApiKey(stack.db.dataSource, other.id, 'admin');
      const res = await stack.graphql(
        `query($o: ID!) { domains(organisationId: $o) { totalCount } }`,
        {
          o: stack.organisationId,
        },
        token,
      );
      expect(code(res)).toBe('NOT_FOUND');
    });
  });

  describe('bearer tokens', () => {
    it('an OIDC user added by email is linked on first sign-in and sees their organisation', async () => {
      await stack.graphql(
        `mutation($o: ID!) { addMember(organisationId: $o, email: "ada@example.test", role: VIEWER) { role } }`,
        {
          o: stack.organisationId,
        },
      );
      const token = await oidc.sign({
        sub: 'idp-ada',
        aud: AUDIENCE,
        email: 'Ada@Example.test',
        email_verified: true,
      });
      const res = await stack.graphql<{ me: any }>(ME, {}, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.user.email).toBe('ada@example.test');
      expect(res.data!.me.memberships).toEqual([
        { organisationId: stack.organisationId, role: 'VIEWER' },
      ]);
      const [user] = await stack.db.dataSource.query(
        `SELECT oidc_issuer, oidc_subject FROM app_user WHERE email = 'ada@example.test'`,
      );
      expect(user).toEqual({ oidc_issuer: oidc.issuer, oidc_subject: 'idp-ada' });
    });

    it('refuses wrong issuer, wrong audience, expiry, bad signature and unverified email alike', async () => {
      const base = { sub: 'idp-x', aud: AUDIENCE, email: 'x@example.test', email_verified: true };
      await createUser(stack.db.dataSource, { email: 'x@example.test' });
      const bad = [
        await oidc.sign({ ...base, iss: 'https://evil.example' }),
        await oidc.sign({ ...base, aud: 'someone-else' }),
        await oidc.sign(base, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
        await oidc.sign(base, { key: oidc.otherKey }),
        await oidc.sign({ ...base, sub: 'idp-y', email: 'y@example.test', email_verified: false }),
        // A local token signed with another secret.
        await new SignJWT({ sub: randomUUID(), email: 'x@example.test' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('perimeter-local')
          .setAudience('perimeter')
          .setIssuedAt()
          .setJti(randomUUID())
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(randomBytes(32).toString('hex'))),
      ];
      for (const token of bad) {
        const res = await stack.graphql(ME, {}, token);
        expect(res.errors?.[0]).toMatchObject({
          message: 'missing, invalid or expired credentials',
          extensions: { code: 'UNAUTHENTICATED' },
        });
      }
      // The well-formed token for the same person works.
      expect(code(await stack.graphql(ME, {}, await oidc.sign(base)))).toBeUndefined();
    });

    it('local sign-in issues a token for the password, and refuses a wrong one', async () => {
      await createUser(stack.db.dataSource, {
        email: 'local@example.test',
        passwordHash: await hashPassword(password),
      });
      const ok = await stack.graphql<{ signIn: { token: string } }>(
        `mutation { signIn(email: "local@example.test", password: "${password}") { token expiresAt } }`,
        {},
        null,
      );
      expect(code(await stack.graphql(ME, {}, ok.data!.signIn.token))).toBeUndefined();
      const wrong = await stack.graphql(
        `mutation { signIn(email: "local@example.test", password: "nope nope nope") { token } }`,
        {},
        null,
      );
      const unknown = await stack.graphql(
        `mutation { signIn(email: "nobody@example.test", password: "nope nope nope") { token } }`,
        {},
        null,
      );
      expect(wrong.errors?.[0]).toMatchObject({
        message: 'wrong email or password',
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(unknown.errors?.[0]).toEqual(wrong.errors?.[0]);
    });
  });

  describe('audit log and membership safety', () => {
    it('records who changed members, keys and domains, for admins to read', async () => {
      const o = stack.organisationId;
      const m = await stack.graphql<{ addMember: { user: { id: string } } }>(
        `mutation($o: ID!) { addMember(organisationId: $o, email: "audit@example.test", role: VIEWER) { user { id } } }`,
        { o },
      );
      const userId = m.data!.addMember.user.id;
      await stack.graphql(
        `mutation($o: ID!, $u: ID!) { setMemberRole(organisationId: $o, userId: $u, role: OPERATOR) { role } }`,
        { o, u: userId },
      );
      const key = await stack.graphql<{ createApiKey: { apiKey: { id: string } } }>(
        `mutation($o: ID!) { createApiKey(organisationId: $o, name: "audit", role: VIEWER) { apiKey { id } } }`,
        { o },
      );
      await stack.graphql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
        id: key.data!.createApiKey.apiKey.id,
      });
      const d = await stack.graphql<{ addDomain: { id: string } }>(
        `mutation($o: ID!) { addDomain(organisationId: $o, domain: "audit.example.test") { id } }`,
        { o },
      );
      await stack.graphql(`mutation($id: ID!) { removeDomain(id: $id) }`, {
        id: d.data!.addDomain.id,
      });
      await stack.graphql(
        `mutation($o: ID!, $u: ID!) { removeMember(organisationId: $o, userId: $u) }`,
        { o, u: userId },
      );

      type Entry = { action: string; actorType: string; targetId: string; details: any };
      const log = await stack.graphql<{ auditLog: { nodes: Entry[]; totalCount: number } }>(
        `query($o: ID!) { auditLog(organisationId: $o, first: 20) {
           totalCount nodes { action actorType actorId targetId details } } }`,
        { o },
      );
      const entries = log.data!.auditLog.nodes;
      const actions = entries.map((e) => e.action);
      expect(actions.slice(0, 7)).toEqual([
        'member.remove',
        'domain.remove',
        'domain.add',
        'api_key.revoke',
        'api_key.create',
        'member.role',
        'member.add',
      ]);
      expect(entries.every((e) => e.actorType === 'api_key')).toBe(true);
      expect(entries.find((e) => e.action === 'member.role')!.details).toEqual({
        from: 'viewer',
        to: 'operator',
      });

      // Older entries page by page, and a filter by action.
      type Page = {
        auditLog: {
          totalCount: number;
          edges: Array<{ cursor: string; node: { action: string } }>;
          pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
        };
      };
      const pageQuery = `query($o: ID!, $after: String, $action: String) {
        auditLog(organisationId: $o, first: 3, after: $after, action: $action) {
          totalCount edges { cursor node { action } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
      const p1 = await stack.graphql<Page>(pageQuery, { o });
      const p2 = await stack.graphql<Page>(pageQuery, {
        o,
        after: p1.data!.auditLog.pageInfo.endCursor,
      });
      expect(p1.data!.auditLog.edges.map((e) => e.node.action)).toEqual(actions.slice(0, 3));
      expect(p2.data!.auditLog.edges.map((e) => e.node.action)).toEqual(actions.slice(3, 6));
      expect(p2.data!.auditLog.pageInfo.hasPreviousPage).toBe(true);
      const removals = await stack.graphql<Page>(pageQuery, { o, action: 'domain.remove' });
      expect(removals.data!.auditLog.totalCount).toBe(1);
      expect(removals.data!.auditLog.pageInfo.hasNextPage).toBe(false);
      const forged = await stack.graphql(pageQuery, { o, after: 'eyJub3QiOiJtaW5lIn0' });
      expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('never leaves an organisation without an admin', async () => {
      const org = await createOrganisation(stack.db.dataSource, {
        slug: `solo-${randomUUID().slice(0, 8)}`,
        name: 'Solo',
      });
      const admin = await createUser(stack.db.dataSource, {
        email: `solo-${randomUUID().slice(0, 8)}@example.test`,
      });
      await upsertMembership(stack.db.dataSource, {
        userId: admin.id,
        organisationId: org.id,
        role: 'admin',
      });
      const { token } = await createApiKey(stack.db.dataSource, org.id, 'admin');
      const demote = await stack.graphql(
        `mutation($o: ID!, $u: ID!) { setMemberRole(organisationId: $o, userId: $u, role: VIEWER) { role } }`,
        { o: org.id, u: admin.id },
        token,
      );
      const remove = await stack.graphql(
        `mutation($o: ID!, $u: ID!) { removeMember(organisationId: $o, userId: $u) }`,
        { o: org.id, u: admin.id },
        token,
      );
      expect([code(demote), code(remove)]).toEqual(['LAST_ADMIN', 'LAST_ADMIN']);
    });
  });
});

describe('rate limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        AUTH_LOCAL_SIGNIN: 'true',
        AUTH_LOCAL_JWT_SECRET: randomBytes(32).toString('hex'),
        RATE_LIMIT_PER_MINUTE: '20',
        RATE_LIMIT_NOT_FOUND_PER_MINUTE: '3',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
      },
    });
  });
  afterAll(() => stack?.stop());

  it('answers "not found" the same for another organisation\'s scan and a missing one, then limits probing', async () => {
    const other = await createOrganisation(stack.db.dataSource, {
      slug: 'elsewhere',
      name: 'Elsewhere',
    });
    const { scan } = await createDomainScan(stack.db.dataSource, {
      organisationId: other.id,
      domain: { ascii: 'secret.example.test', unicode: 'secret.example.test' },
      requestedBy: null,
    });
    const probe = (id: string) =>
      stack.graphql(`query($id: ID!) { scan(id: $id) { id target } }`, { id });
    const missing = randomUUID();
    const [a, b] = [await probe(scan.id), await probe(missing)];
    expect(a.errors?.[0]).toMatchObject({
      message: `no scan with id ${scan.id}`,
      extensions: { code: 'NOT_FOUND' },
    });
    expect(b.errors?.[0]).toMatchObject({
      message: `no scan with id ${missing}`,
      extensions: { code: 'NOT_FOUND' },
    });
    expect(Object.keys(a.errors![0].extensions!)).toEqual(Object.keys(b.errors![0].extensions!));
    await probe(randomUUID());
    expect(code(await probe(randomUUID()))).toBe('RATE_LIMITED');
  });

  it('limits requests per key', async () => {
    const { token } = await createApiKey(stack.db.dataSource, stack.organisationId, 'viewer');
    const codes = [];
    for (let i = 0; i < 22; i++) codes.push(code(await stack.graphql(ME, {}, token)));
    expect(codes.slice(0, 20).every((c) => c === undefined)).toBe(true);
    expect(codes.slice(20)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
  // Last: a locked-out address can no longer authenticate at all, whatever it sends.
  it('stops password guessing, even when the right password finally comes', async () => {
    await createUser(stack.db.dataSource, {
      email: 'target@example.test',
      passwordHash: await hashPassword(password),
    });
    const attempt = (p: string) =>
      stack.graphql(
        `mutation($p: String!) { signIn(email: "target@example.test", password: $p) { token } }`,
        { p },
        null,
      );
    for (let i = 0; i < 3; i++)
      expect(code(await attempt(`guess number ${i}`))).toBe('UNAUTHENTICATED');
    const blocked = await attempt(password);
    expect(code(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });
});
