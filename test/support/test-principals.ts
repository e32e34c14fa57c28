import type { DataSource } from 'typeorm';
import { generateApiKey } from '../../libs/auth/api-keys';
import type { Role } from '../../libs/auth/roles';
import { createOrganisation, insertApiKey } from '../../libs/db';

/** An organisation and an API key with `role` in it: the usual caller in API tests. */
export async function createOrganisationWithKey(
  ds: DataSource,
  opts: { slug?: string; role?: Role } = {},
): Promise<{ organisationId: string; token: string; keyId: string }> {
  const org = await createOrganisation(ds, {
    slug: opts.slug ?? `org-${Math.random().toString(36).slice(2, 10)}`,
    name: 'Test organisation',
  });
  const key = await createApiKey(ds, org.id, opts.role ?? 'admin');
  return { organisationId: org.id, ...key };
}

export async function createApiKey(
  ds: DataSource,
  organisationId: string,
  role: Role,
  extra: { expiresAt?: Date | null } = {},
): Promise<{ token: string; keyId: string }> {
  const generated = generateApiKey();
  const key = await insertApiKey(ds, {
    publicId: generated.id,
    secretHash: generated.secretHash,
    organisationId,
    role,
    name: `test ${role}`,
    createdBy: null,
    expiresAt: extra.expiresAt ?? null,
  });
  return { token: generated.token, keyId: key.id };
}
