import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessService } from './access.service';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { Authenticator } from './authenticator.service';

@Global()
@Module({
  providers: [
    Authenticator,
    AccessService,
    AuthResolver,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [Authenticator, AccessService],
})
export class AuthModule {}
