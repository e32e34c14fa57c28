import { Module } from '@nestjs/common';
import { DomainsResolver } from './domains.resolver';
import { DomainsService } from './domains.service';

@Module({ providers: [DomainsResolver, DomainsService] })
export class DomainsModule {}
