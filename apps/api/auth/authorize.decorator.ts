import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../../libs/auth/roles';

export const AUTH_RULE = 'perimeter:auth-rule';

/**
 * How an operation is authorised. Every resolver and controller method needs one: the guard denies
 * anything without a rule, so a forgotten decorator fails closed.
 */
export type AuthRule =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'superAdmin' }
  /** At least `role` in the organisation named by argument `organisationArg`. */
  | { kind: 'organisation'; role: Role; organisationArg: string }
  /** At least `role` somewhere; the service checks the organisation of the object it loads. */
  | { kind: 'object'; role: Role }
  /** A field of a type reachable from several paths: checked against its parent's organisation. */
  | { kind: 'field'; role: Role; organisationOf: (parent: never) => string | null };

/** Anyone, signed in or not (sign-in itself). Rate-limited per client address. */
export const Public = () => SetMetadata(AUTH_RULE, { kind: 'public' } satisfies AuthRule);
/** Any signed-in user or valid API key. */
export const Authenticated = () =>
  SetMetadata(AUTH_RULE, { kind: 'authenticated' } satisfies AuthRule);
export const SuperAdminOnly = () =>
  SetMetadata(AUTH_RULE, { kind: 'superAdmin' } satisfies AuthRule);
export const InOrganisation = (role: Role, organisationArg = 'organisationId') =>
  SetMetadata(AUTH_RULE, { kind: 'organisation', role, organisationArg } satisfies AuthRule);
export const OnObject = (role: Role) =>
  SetMetadata(AUTH_RULE, { kind: 'object', role } satisfies AuthRule);
export const OnField = <P>(role: Role, organisationOf: (parent: P) => string | null) =>
  SetMetadata(AUTH_RULE, {
    kind: 'field',
    role,
    organisationOf: organisationOf as (parent: never) => string | null,
  } satisfies AuthRule);
