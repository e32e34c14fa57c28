import { Module } from '@nestjs/common';
import { DmarcReportsController } from './dmarc-reports.controller';
import { DmarcReportsResolver } from './dmarc-reports.resolver';
import { DmarcReportsService } from './dmarc-reports.service';

@Module({
  controllers: [DmarcReportsController],
  providers: [DmarcReportsResolver, DmarcReportsService],
})
export class DmarcReportsModule {}
