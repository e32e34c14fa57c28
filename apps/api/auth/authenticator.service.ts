import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { parseApiKey, verifyApiKeySecret } from '../../../libs/auth/api-keys';
import type { Principal } from '../../../libs/auth/roles';
import { InvalidToken } from '../../../libs/auth/errors';
import {
  createLocalTokenIssuer,
  createOidcVerifier,
  createTokenVerifier,
  type VerifiedToken,
} from '../../../libs/auth/tokens';
import type { PerimeterConfig } from '../../../libs/config/config';
import { findApiKeyByPublicId, membershipsOf, recordAudit, UserEntity } from '../../../libs/db';
import type { Logger } from '../../../libs/telemetry';
import { graphQLError } from '../common/graphql-errors';
import { CONFIG, DATA_SOURCE, LOGGER } from '../tokens';

export const LOCAL_ISSUER = 'perimeter-local';
export const LOCAL_AUDIENCE = 'perimeter';

/** Credentials that did not check out; callers see one message whatever the reason. */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
}

/** Turns an `Authorization: Bearer …` header into a principal: an API key or a person's token. */
@Injectable()
export class Authenticator {
  readonly localIssuer;
  private readonly tokens;

  constructor(
    @Inject(CONFIG) config: PerimeterConfig,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const local = config.auth.localSignIn;
    this.localIssuer = local
      ? createLocalTokenIssuer({
          secret: local.secret,
          issuer: LOCAL_ISSUER,
          audience: LOCAL_AUDIENCE,
          ttlSeconds: local.ttlSeconds,
        })
      : undefined;
    const verifiers: Array<{ issuer: string; verify(token: string): Promise<VerifiedToken> }> = [];
    if (this.localIssuer) verifiers.push({ issuer: LOCAL_ISSUER, verify: this.localIssuer.verify });
    const oidc = config.auth.oidc;
    if (oidc) verifiers.push({ ...createOidcVerifier(oidc), issuer: oidc.issuer });
    this.tokens = createTokenVerifier(verifiers);
  }

  /** Undefined when the request carries no credentials; throws Unauthenticated for bad ones. */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new Unauthenticated('expected "Authorization: Bearer <token>"');
    const token = match[1];
    return token.startsWith('pmk_') ? this.apiKey(token) : this.person(token);
  }

  private async apiKey(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed) throw new Unauthenticated('malformed API key');
    const key = await findApiKeyByPublicId(this.dataSource, parsed.id);
    if (!key || !verifyApiKeySecret(parsed.secret, key.secretHash)) {
      throw new Unauthenticated('unknown API key');
    }
    if (key.revokedAt) throw new Unauthenticated('revoked API key');
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
      throw new Unauthenticated('expired API key');
    }
    // At most one write a minute per key, not one per request.
    await this.dataSource.query(
      `UPDATE api_key SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [key.id],
    );
    return { kind: 'apiKey', keyId: key.id, organisationId: key.organisationId, role: key.role };
  }

  private async person(token: string): Promise<Principal> {
    let verified: VerifiedToken;
    try {
      verified = await this.tokens.verify(token);
    } catch (err) {
      if (err instanceof InvalidToken) throw new Unauthenticated(`token ${err.reason}`);
      throw err;
    }
    const user = await this.userFor(verified);
    if (!user || user.disabledAt) throw new Unauthenticated('unknown or disabled user');
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      superAdmin: user.superAdmin,
      memberships: await membershipsOf(this.dataSource, user.id),
    };
  }

  private async userFor(token: VerifiedToken): Promise<UserEntity | null> {
    const users = this.dataSource.getRepository(UserEntity);
    if (token.issuer === LOCAL_ISSUER) return users.findOneBy({ id: token.subject });
    const linked = await users.findOneBy({ oidcIssuer: token.issuer, oidcSubject: token.subject });
    if (linked) return linked;
    // First OIDC sign-in of a person an admin added by email: link them, if the issuer vouches
    // for the address.
    if (!token.email || token.emailVerified !== true) return null;
    const byEmail = await users.findOneBy({ email: token.email.toLowerCase() });
    if (!byEmail || byEmail.oidcIssuer) return null;
    await this.dataSource.transaction(async (m) => {
      await m.update(
        UserEntity,
        { id: byEmail.id },
        { oidcIssuer: token.issuer, oidcSubject: token.subject },
      );
      await recordAudit(m, {
        organisationId: null,
        actorType: 'user',
        actorId: byEmail.id,
        action: 'user.oidc-linked',
        targetType: 'user',
        targetId: byEmail.id,
        details: { issuer: token.issuer },
      });
    });
    this.logger.info({ userId: byEmail.id, issuer: token.issuer }, 'linked OIDC identity');
    return users.findOneBy({ id: byEmail.id });
  }
}

export function unauthenticatedError() {
  return graphQLError('UNAUTHENTICATED', 'missing, invalid or expired credentials');
}
