import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../../../libs/auth/roles';
import { AccessService, clientKey } from './access.service';
import { Authenticator, Unauthenticated } from './authenticator.service';
import type { AuthedRequest } from './request-context';

interface WsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: { request: IncomingMessage; principal?: Principal };
}

/**
 * graphql-ws connections authenticate in `connection_init` (`{"authorization": "Bearer …"}`);
 * a refused connection is closed with 4403 before any subscription runs.
 */
@Injectable()
export class SubscriptionAuth {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly access: AccessService,
  ) {}

  async onConnect(ctx: WsContext): Promise<boolean> {
    const client = clientKey(ctx.extra.request.socket.remoteAddress);
    const authorization = ctx.connectionParams?.authorization;
    try {
      this.access.assertMayAuthenticate(client);
      const principal =
        typeof authorization === 'string'
          ? await this.authenticator.authenticate(authorization)
          : undefined;
      if (!principal) throw new Unauthenticated('no credentials');
      ctx.extra.principal = principal;
      return true;
    } catch (err) {
      if (err instanceof Unauthenticated) this.access.authFailed(client);
      return false;
    }
  }

  /** The request the guard sees for an operation on this connection. */
  requestOf(ctx: WsContext): AuthedRequest {
    const req = ctx.extra.request as AuthedRequest;
    req.principal = ctx.extra.principal;
    return req;
  }
}
