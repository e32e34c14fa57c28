import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../auth/roles';
import { ApiKeyEntity, MembershipEntity, OrganisationEntity, UserEntity } from './entities';
import type { KeysetQuery } from './keyset-page';

type Db = DataSource | EntityManager;

export interface AuditEntry {
  organisationId: string | null;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown>;
}

/** Append one audit entry; call inside the transaction that makes the change. */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (organisation_id, actor_type, actor_id, action, target_type, target_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      e.organisationId,
      e.actorType,
      e.actorId,
      e.action,
      e.targetType,
      e.targetId,
      JSON.stringify(e.details ?? {}),
    ],
  );
}

/** The organisation's audit log as a keyset query, newest first; optionally one action only. */
export function auditLogQuery(organisationId: string, opts: { action?: string } = {}): KeysetQuery {
  const where = ['organisation_id = $1'];
  const params: unknown[] = [organisationId];
  if (opts.action) {
    params.push(opts.action);
    where.push(`action = $${params.length}`);
  }
  return {
    select: `id::text AS id, actor_type AS "actorType", actor_id AS "actorId", action,
             target_type AS "targetType", target_id AS "targetId", details, at`,
    from: 'audit_log',
    where,
    params,
    order: [{ expr: 'audit_log.id', alias: 'id', type: 'bigint', direction: 'DESC' }],
  };
}

export async function createOrganisation(
  db: Db,
  input: { slug: string; name: string },
): Promise<OrganisationEntity> {
  const id = randomUUID();
  await db.getRepository(OrganisationEntity).insert({ id, slug: input.slug, name: input.name });
  return db.getRepository(OrganisationEntity).findOneByOrFail({ id });
}

export function findUserByEmail(
  db: Db,
  email: string,
  { withPassword = false } = {},
): Promise<UserEntity | null> {
  const qb = db
    .getRepository(UserEntity)
    .createQueryBuilder('u')
    .where('u.email = :email', { email: email.trim().toLowerCase() });
  if (withPassword) qb.addSelect('u.passwordHash');
  return qb.getOne();
}

export async function createUser(
  db: Db,
  input: {
    email: string;
    displayName?: string;
    passwordHash?: string | null;
    superAdmin?: boolean;
  },
): Promise<UserEntity> {
  const id = randomUUID();
  await db.getRepository(UserEntity).insert({
    id,
    email: input.email.trim().toLowerCase(),
    displayName: input.displayName ?? '',
    passwordHash: input.passwordHash ?? null,
    superAdmin: input.superAdmin ?? false,
    oidcIssuer: null,
    oidcSubject: null,
    disabledAt: null,
  });
  return db.getRepository(UserEntity).findOneByOrFail({ id });
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.getRepository(UserEntity).update({ id: userId }, { passwordHash });
}

export async function membershipsOf(db: Db, userId: string): Promise<Map<string, Role>> {
  const rows = await db.getRepository(MembershipEntity).findBy({ userId });
  return new Map(rows.map((m) => [m.organisationId, m.role]));
}

export async function upsertMembership(
  db: Db,
  input: { userId: string; organisationId: string; role: Role },
): Promise<MembershipEntity> {
  await db.query(
    `INSERT INTO membership (user_id, organisation_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = EXCLUDED.role`,
    [input.userId, input.organisationId, input.role],
  );
  return db
    .getRepository(MembershipEntity)
    .findOneByOrFail({ userId: input.userId, organisationId: input.organisationId });
}

export async function insertApiKey(
  db: Db,
  input: {
    publicId: string;
    secretHash: string;
    organisationId: string;
    role: Role;
    name: string;
    createdBy: string | null;
    expiresAt: Date | null;
  },
): Promise<ApiKeyEntity> {
  const id = randomUUID();
  await db.getRepository(ApiKeyEntity).insert({
    id,
    ...input,
    revokedAt: null,
    lastUsedAt: null,
  });
  return db.getRepository(ApiKeyEntity).findOneByOrFail({ id });
}

export function findApiKeyByPublicId(db: Db, publicId: string): Promise<ApiKeyEntity | null> {
  return db
    .getRepository(ApiKeyEntity)
    .createQueryBuilder('k')
    .addSelect('k.secretHash')
    .where('k.public_id = :publicId', { publicId })
    .getOne();
}
