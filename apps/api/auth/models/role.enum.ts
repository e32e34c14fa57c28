import { registerEnumType } from '@nestjs/graphql';

/** `VIEWER` reads, `OPERATOR` also requests scans and manages domains, `ADMIN` also manages members and keys. */
export const RoleEnum = { VIEWER: 'viewer', OPERATOR: 'operator', ADMIN: 'admin' } as const;
registerEnumType(RoleEnum, { name: 'Role' });
