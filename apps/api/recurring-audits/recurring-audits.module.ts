import { Module } from '@nestjs/common';
import { RecurringAuditsResolver } from './recurring-audits.resolver';
import { RecurringAuditsService } from './recurring-audits.service';

@Module({ providers: [RecurringAuditsResolver, RecurringAuditsService] })
export class RecurringAuditsModule {}
