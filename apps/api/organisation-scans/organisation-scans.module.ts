import { Module } from '@nestjs/common';
import { OrganisationScansResolver } from './organisation-scans.resolver';
import { OrganisationScansService } from './organisation-scans.service';

@Module({
  providers: [OrganisationScansResolver, OrganisationScansService],
  exports: [OrganisationScansService],
})
export class OrganisationScansModule {}
