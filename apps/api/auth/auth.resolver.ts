import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { generatePassword, hashPassword, verifyPassword } from '../../../libs/auth/passwords';
import type { Principal } from '../../../libs/auth/roles';
import { findUserByEmail, UserEntity } from '../../../libs/db';
import { graphQLError } from '../common/graphql-errors';
import { DATA_SOURCE } from '../tokens';
import { AccessService, clientKey } from './access.service';
import { Authenticator } from './authenticator.service';
import { Authenticated, Public } from './authorize.decorator';
import { MeModel } from './models/me.model';
import { SignInModel } from './models/sign-in.model';
import { CurrentPrincipal, type AuthedRequest } from './request-context';

@Resolver()
export class AuthResolver {
  /** Checked when the email is unknown, so both paths cost one scrypt and take the same time. */
  private readonly decoyHash = hashPassword(generatePassword());

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly authenticator: Authenticator,
    private readonly access: AccessService,
  ) {}

  @Public()
  @Mutation(() => SignInModel, {
    description: 'Local sign-in (the embedded stack). Rate-limited per address and per email.',
  })
  async signIn(
    @Args('email', { type: () => String }) email: string,
    @Args('password', { type: () => String }) password: string,
    @Context('req') req: AuthedRequest,
  ): Promise<SignInModel> {
    const issuer = this.authenticator.localIssuer;
    if (!issuer)
      throw graphQLError('FORBIDDEN', 'local sign-in is disabled; use your identity provider');
    const client = clientKey(req.ip);
    const account = `signin:${email.trim().toLowerCase().slice(0, 320)}`;
    this.access.assertMayAuthenticate(client);
    this.access.assertMayAuthenticate(account);
    const user = await findUserByEmail(this.dataSource, email.slice(0, 320), {
      withPassword: true,
    });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !ok || !user.passwordHash || user.disabledAt) {
      this.access.authFailed(client);
      this.access.authFailed(account);
      throw graphQLError('UNAUTHENTICATED', 'wrong email or password');
    }
    return issuer.issue({ sub: user.id, email: user.email });
  }

  @Authenticated()
  @Query(() => MeModel)
  async me(@CurrentPrincipal() principal: Principal): Promise<MeModel> {
    if (principal.kind === 'apiKey') {
      return {
        user: null,
        apiKeyId: principal.keyId,
        memberships: [{ organisationId: principal.organisationId, role: principal.role }],
      };
    }
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOneByOrFail({ id: principal.userId });
    return {
      user,
      apiKeyId: null,
      memberships: [...principal.memberships].map(([organisationId, role]) => ({
        organisationId,
        role,
      })),
    };
  }
}
