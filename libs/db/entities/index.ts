import { DomainEntity } from './domain.entity';
import { OrganisationEntity } from './organisation.entity';
import { ScanResultEntity } from './scan-result.entity';
import { ScanEntity } from './scan.entity';

export { DomainEntity, OrganisationEntity, ScanEntity, ScanResultEntity };
export const entities = [OrganisationEntity, DomainEntity, ScanEntity, ScanResultEntity];
