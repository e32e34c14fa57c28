import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../libs/config/config';
import { AccessService, clientKey } from './access.service';
import { AuthGuard } from './auth.guard';
import type { Authenticator } from './authenticator.service';
import { Public } from './authorize.decorator';

@Controller('x')
class Routes {
  @Get('forgotten')
  forgotten() {
    return 'should never run';
  }

  @Public()
  @Get('open')
  open() {
    return 'ok';
  }
}

function contextFor(handler: keyof Routes) {
  const req = { headers: {}, ip: '127.0.0.1', socket: {} };
  return new ExecutionContextHost([req, {}], Routes, Routes.prototype[handler]);
}

describe('AuthGuard', () => {
  // The authenticator is never reached in these cases; an object that fails loudly proves it.
  const authenticator = {
    authenticate: () => {
      throw new Error('not expected');
    },
  } as unknown as Authenticator;
  const sut = new AuthGuard(new Reflector(), authenticator, new AccessService(loadConfig({})));

  it('refuses an operation that carries no authorisation rule', async () => {
    const refusal = await sut.canActivate(contextFor('forgotten')).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions.code).toBe('FORBIDDEN');
  });

  it('lets a public operation through without credentials', async () => {
    await expect(sut.canActivate(contextFor('open'))).resolves.toBe(true);
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.9', 'ip:203.0.113.9'],
    ['::ffff:203.0.113.9', 'ip:203.0.113.9'],
    ['2001:db8:1:2:aaaa::1', 'ip:2001:db8:1:2::/64'],
    ['2001:db8:1:2:bbbb::2', 'ip:2001:db8:1:2::/64'],
    [undefined, 'ip:unknown'],
    ['not an address', 'ip:unknown'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
