import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Principal } from '../../../libs/auth/roles';

/** The HTTP request, with who made it once the guard has authenticated it. */
export type AuthedRequest = Request & { principal?: Principal };

export function requestOf(ctx: ExecutionContext): AuthedRequest {
  if (ctx.getType<'graphql' | 'http'>() === 'graphql') {
    return GqlExecutionContext.create(ctx).getContext<{ req: AuthedRequest }>().req;
  }
  return ctx.switchToHttp().getRequest<AuthedRequest>();
}

/** The authenticated principal of this request (set by the guard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = requestOf(ctx).principal;
  if (!principal) throw new Error('CurrentPrincipal used on an operation without authentication');
  return principal;
});
