import { ApiKeyEntity } from './api-key.entity';
import { AuditLogEntity } from './audit-log.entity';
import { DomainEntity } from './domain.entity';
import { MembershipEntity } from './membership.entity';
import { OrganisationEntity } from './organisation.entity';
import { ScanResultEntity } from './scan-result.entity';
import { ScanEntity } from './scan.entity';
import { UserEntity } from './user.entity';

export {
  ApiKeyEntity,
  AuditLogEntity,
  DomainEntity,
  MembershipEntity,
  OrganisationEntity,
  ScanEntity,
  ScanResultEntity,
  UserEntity,
};
export const entities = [
  OrganisationEntity,
  DomainEntity,
  ScanEntity,
  ScanResultEntity,
  UserEntity,
  MembershipEntity,
  ApiKeyEntity,
  AuditLogEntity,
];
