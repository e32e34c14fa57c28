import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { can, roleAtLeast, roleIn, type Principal, type Role } from '../../../libs/auth/roles';
import { graphQLError } from '../common/graphql-errors';
import { AccessService, clientKey } from './access.service';
import { Authenticator, Unauthenticated, unauthenticatedError } from './authenticator.service';
import { AUTH_RULE, type AuthRule } from './authorize.decorator';
import { requestOf, type AuthedRequest } from './request-context';

function hasRoleSomewhere(p: Principal, need: Role): boolean {
  if (p.kind === 'apiKey') return roleAtLeast(p.role, need);
  return p.superAdmin || [...p.memberships.values()].some((r) => roleAtLeast(r, need));
}

/**
 * The one gate every GraphQL operation, field and HTTP route passes. Deny by default: an
 * operation without an authorisation rule is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly access: AccessService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AuthRule | undefined>(AUTH_RULE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!rule) {
      throw graphQLError('FORBIDDEN', 'this operation has no authorisation rule');
    }
    const req = requestOf(ctx);
    const isField = ctx.getType<'graphql'>() === 'graphql' && this.isNestedField(ctx);
    // Fields reuse the principal their operation established.
    const principal = isField ? req.principal : await this.authenticate(req);
    if (rule.kind === 'public') return true;
    if (!principal) throw unauthenticatedError();
    if (!isField) this.access.takeRequest(principal);

    switch (rule.kind) {
      case 'authenticated':
        return true;
      case 'superAdmin':
        if (principal.kind === 'user' && principal.superAdmin) return true;
        throw graphQLError('FORBIDDEN', 'this needs a super-admin');
      case 'organisation': {
        const args =
          ctx.getType<'graphql' | 'http'>() === 'graphql'
            ? GqlExecutionContext.create(ctx).getArgs<Record<string, unknown>>()
            : (req.params as Record<string, unknown>);
        const organisationId = String(args[rule.organisationArg] ?? '');
        if (!roleIn(principal, organisationId)) {
          throw this.access.notFoundError(principal, 'organisation', organisationId);
        }
        if (!can(principal, rule.role, organisationId)) {
          throw graphQLError('FORBIDDEN', `this needs the ${rule.role} role in the organisation`);
        }
        return true;
      }
      case 'object':
        if (hasRoleSomewhere(principal, rule.role)) return true;
        throw graphQLError('FORBIDDEN', `this needs the ${rule.role} role`);
      case 'field': {
        const parent = GqlExecutionContext.create(ctx).getRoot<never>();
        const organisationId = rule.organisationOf(parent);
        if (organisationId && can(principal, rule.role, organisationId)) return true;
        throw graphQLError('FORBIDDEN', 'not allowed to read this field');
      }
    }
  }

  private isNestedField(ctx: ExecutionContext): boolean {
    const info = GqlExecutionContext.create(ctx).getInfo<{ path: { prev: unknown } }>();
    return info.path.prev !== undefined;
  }

  private async authenticate(req: AuthedRequest): Promise<Principal | undefined> {
    if (req.principal) return req.principal;
    const header = req.headers.authorization;
    if (!header) return undefined;
    const client = clientKey(req.ip ?? req.socket.remoteAddress);
    this.access.assertMayAuthenticate(client);
    try {
      req.principal = await this.authenticator.authenticate(header);
      return req.principal;
    } catch (err) {
      if (!(err instanceof Unauthenticated)) throw err;
      this.access.authFailed(client);
      throw unauthenticatedError();
    }
  }
}
