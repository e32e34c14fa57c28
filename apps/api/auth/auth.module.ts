import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessService } from './access.service';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { Authenticator } from './authenticator.service';
import { SubscriptionAuth } from './subscription-auth';

@Global()
@Module({
  providers: [
    Authenticator,
    AccessService,
    AuthResolver,
    SubscriptionAuth,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [Authenticator, AccessService, SubscriptionAuth],
})
export class AuthModule {}
