import { generatePassword, hashPassword } from '../../../libs/auth/passwords';
import { createUser, findUserByEmail, recordAudit, setPasswordHash } from '../../../libs/db';
import { withDatabase } from './with-database';

/**
 * `perimeter admin create-user <email> [--super-admin]` and `perimeter admin reset-password <email>`:
 * a random password is printed once; only its hash is stored.
 */
export async function adminCommand(
  sub: string | undefined,
  email: string | undefined,
  opts: { superAdmin: boolean },
  out = console.log,
): Promise<number> {
  if (!email || (sub !== 'create-user' && sub !== 'reset-password')) {
    out('usage: perimeter admin create-user <email> [--super-admin] | reset-password <email>');
    return 2;
  }
  return withDatabase(out, async (ds) => {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const existing = await findUserByEmail(ds, email);
    if (sub === 'create-user') {
      if (existing) {
        out(`a user ${existing.email} exists; use reset-password`);
        return 1;
      }
      await ds.transaction(async (m) => {
        const user = await createUser(m, { email, passwordHash, superAdmin: opts.superAdmin });
        await recordAudit(m, {
          organisationId: null,
          actorType: 'system',
          actorId: null,
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          details: { email: user.email, superAdmin: opts.superAdmin, via: 'cli' },
        });
      });
    } else {
      if (!existing) {
        out(`no user ${email}`);
        return 1;
      }
      await setPasswordHash(ds, existing.id, passwordHash);
      await recordAudit(ds, {
        organisationId: null,
        actorType: 'system',
        actorId: null,
        action: 'user.reset-password',
        targetType: 'user',
        targetId: existing.id,
        details: { via: 'cli' },
      });
    }
    out(`email:    ${email.toLowerCase()}`);
    out(`password: ${password}   (shown once)`);
    return 0;
  });
}
