import { Module } from '@nestjs/common';
import { PageLimits } from '../common/page-limits';
import { DomainsResolver } from './domains.resolver';
import { DomainsService } from './domains.service';

@Module({ providers: [DomainsResolver, DomainsService, PageLimits] })
export class DomainsModule {}
