import type { DataSource } from 'typeorm';
import { generatePassword, hashPassword } from '../auth/passwords';
import { createOrganisation, createUser, recordAudit, upsertMembership } from './access.repository';
import { OrganisationEntity, UserEntity } from './entities';

export interface FirstAdmin {
  email: string;
  /** Shown once; only its hash is stored. */
  password: string;
  organisationId: string;
}

/**
 * On a database without users: a super-admin with a random password, admin of a first
 * organisation. Nothing ships with a default password; on later starts this does nothing.
 */
export async function ensureFirstAdmin(
  ds: DataSource,
  email = 'admin@perimeter.local',
): Promise<FirstAdmin | undefined> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return ds.transaction(async (m) => {
    // Serialises concurrent first starts.
    await m.query(`LOCK TABLE app_user IN EXCLUSIVE MODE`);
    if ((await m.getRepository(UserEntity).count()) > 0) return undefined;
    const organisation =
      (await m.getRepository(OrganisationEntity).findOneBy({ slug: 'default' })) ??
      (await createOrganisation(m, { slug: 'default', name: 'Default organisation' }));
    const user = await createUser(m, {
      email,
      displayName: 'Administrator',
      passwordHash,
      superAdmin: true,
    });
    await upsertMembership(m, { userId: user.id, organisationId: organisation.id, role: 'admin' });
    await recordAudit(m, {
      organisationId: organisation.id,
      actorType: 'system',
      actorId: null,
      action: 'user.bootstrap-admin',
      targetType: 'user',
      targetId: user.id,
      details: { email },
    });
    return { email, password, organisationId: organisation.id };
  });
}
