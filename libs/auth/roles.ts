/** Roles within an organisation, weakest first: each can do everything the one before can. */
export const Roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof Roles)[number];

const RANK: ReadonlyMap<string, number> = new Map(Roles.map((role, i) => [role, i]));

/** Whoever is making a request, once authenticated. */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      superAdmin: boolean;
      /** organisationId -> role */
      memberships: ReadonlyMap<string, Role>;
    }
  | { kind: 'apiKey'; keyId: string; organisationId: string; role: Role };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && RANK.has(value);
}

/** True when `have` grants at least what `need` requires; false for anything not a role. */
export function roleAtLeast(have: Role, need: Role): boolean {
  // Roles read from the database are strings at run time: an unknown one must grant nothing.
  const h = RANK.get(have);
  const n = RANK.get(need);
  return h !== undefined && n !== undefined && h >= n;
}

/** The principal's role in one organisation, or undefined when it has none there. */
export function roleIn(p: Principal, organisationId: string): Role | undefined {
  if (p.kind === 'apiKey') {
    return p.organisationId === organisationId && isRole(p.role) ? p.role : undefined;
  }
  if (p.superAdmin === true) return 'admin';
  const role = p.memberships.get(organisationId);
  return isRole(role) ? role : undefined;
}

/** May the principal act with at least role `need` in this organisation? */
export function can(p: Principal, need: Role, organisationId: string): boolean {
  const role = roleIn(p, organisationId);
  return role !== undefined && roleAtLeast(role, need);
}

/** Organisations where the principal holds at least `need`; 'all' for a super-admin. */
export function organisationsWhere(p: Principal, need: Role): string[] | 'all' {
  if (p.kind === 'apiKey') return roleAtLeast(p.role, need) ? [p.organisationId] : [];
  if (p.superAdmin === true) return roleAtLeast('admin', need) ? 'all' : [];
  const ids: string[] = [];
  for (const [organisationId, role] of p.memberships) {
    if (roleAtLeast(role, need)) ids.push(organisationId);
  }
  return ids;
}

/** How the audit log names the principal. */
export function actorOf(p: Principal): { actorType: 'user' | 'api_key'; actorId: string } {
  return p.kind === 'user'
    ? { actorType: 'user', actorId: p.userId }
    : { actorType: 'api_key', actorId: p.keyId };
}
