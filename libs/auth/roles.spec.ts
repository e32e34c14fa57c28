import { describe, expect, it } from 'vitest';
import {
  actorOf,
  can,
  isRole,
  organisationsWhere,
  roleAtLeast,
  roleIn,
  Roles,
  type Principal,
  type Role,
} from './roles';

const user: Principal = {
  kind: 'user',
  userId: 'u-1',
  email: 'ada@example.com',
  superAdmin: false,
  memberships: new Map<string, Role>([
    ['org-v', 'viewer'],
    ['org-o', 'operator'],
    ['org-a', 'admin'],
  ]),
};
const superAdmin: Principal = {
  kind: 'user',
  userId: 'u-root',
  email: 'root@example.com',
  superAdmin: true,
  // A super-admin's own memberships do not lower what it may do.
  memberships: new Map<string, Role>([['org-v', 'viewer']]),
};
const keyOf = (role: Role): Principal => ({
  kind: 'apiKey',
  keyId: `k-${role}`,
  organisationId: 'org-o',
  role,
});

const ORGS = ['org-v', 'org-o', 'org-a', 'org-none'] as const;

describe('Roles and roleAtLeast', () => {
  it('orders viewer < operator < admin', () => {
    expect(Roles).toEqual(['viewer', 'operator', 'admin']);
  });

  it.each<[Role, Role, boolean]>([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['viewer', 'admin', false],
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'operator', true],
    ['admin', 'admin', true],
  ])('roleAtLeast(%s, %s) is %s', (have, need, expected) => {
    expect(roleAtLeast(have, need)).toBe(expected);
  });

  it('grants nothing for a value that is not a role', () => {
    for (const bogus of ['', 'Admin', 'owner', 'toString', '__proto__', undefined, null, 2]) {
      expect(roleAtLeast(bogus as Role, 'viewer'), String(bogus)).toBe(false);
      expect(roleAtLeast('admin', bogus as Role), String(bogus)).toBe(false);
      expect(isRole(bogus)).toBe(false);
    }
    expect(Roles.every(isRole)).toBe(true);
  });
});

describe('roleIn / can / organisationsWhere', () => {
  // principal -> organisation -> expected role there
  const roleTable: Array<[string, Principal, Record<(typeof ORGS)[number], Role | undefined>]> = [
    [
      'user',
      user,
      { 'org-v': 'viewer', 'org-o': 'operator', 'org-a': 'admin', 'org-none': undefined },
    ],
    [
      'super-admin',
      superAdmin,
      { 'org-v': 'admin', 'org-o': 'admin', 'org-a': 'admin', 'org-none': 'admin' },
    ],
    [
      'viewer key',
      keyOf('viewer'),
      { 'org-v': undefined, 'org-o': 'viewer', 'org-a': undefined, 'org-none': undefined },
    ],
    [
      'operator key',
      keyOf('operator'),
      { 'org-v': undefined, 'org-o': 'operator', 'org-a': undefined, 'org-none': undefined },
    ],
    [
      'admin key',
      keyOf('admin'),
      { 'org-v': undefined, 'org-o': 'admin', 'org-a': undefined, 'org-none': undefined },
    ],
  ];

  // principal -> organisation -> the needs `can` grants there
  const canTable: Record<string, Record<(typeof ORGS)[number], Role[]>> = {
    user: {
      'org-v': ['viewer'],
      'org-o': ['viewer', 'operator'],
      'org-a': ['viewer', 'operator', 'admin'],
      'org-none': [],
    },
    'super-admin': {
      'org-v': ['viewer', 'operator', 'admin'],
      'org-o': ['viewer', 'operator', 'admin'],
      'org-a': ['viewer', 'operator', 'admin'],
      'org-none': ['viewer', 'operator', 'admin'],
    },
    'viewer key': { 'org-v': [], 'org-o': ['viewer'], 'org-a': [], 'org-none': [] },
    'operator key': { 'org-v': [], 'org-o': ['viewer', 'operator'], 'org-a': [], 'org-none': [] },
    'admin key': {
      'org-v': [],
      'org-o': ['viewer', 'operator', 'admin'],
      'org-a': [],
      'org-none': [],
    },
  };

  // principal -> need -> organisations
  const whereTable: Record<string, Record<Role, string[] | 'all'>> = {
    user: { viewer: ['org-v', 'org-o', 'org-a'], operator: ['org-o', 'org-a'], admin: ['org-a'] },
    'super-admin': { viewer: 'all', operator: 'all', admin: 'all' },
    'viewer key': { viewer: ['org-o'], operator: [], admin: [] },
    'operator key': { viewer: ['org-o'], operator: ['org-o'], admin: [] },
    'admin key': { viewer: ['org-o'], operator: ['org-o'], admin: ['org-o'] },
  };

  for (const [name, principal, roles] of roleTable) {
    describe(name, () => {
      for (const org of ORGS) {
        const grants = canTable[name][org].join(', ') || 'nothing';
        it(`roleIn ${org} is ${roles[org] ?? 'none'}; can ${grants}`, () => {
          expect(roleIn(principal, org)).toBe(roles[org]);
          for (const need of Roles) {
            expect(can(principal, need, org), need).toBe(canTable[name][org].includes(need));
          }
        });
      }
      it('organisationsWhere, for each role', () => {
        for (const need of Roles) {
          const got = organisationsWhere(principal, need);
          const want = whereTable[name][need];
          expect(Array.isArray(got) ? [...got].sort() : got, need).toEqual(
            Array.isArray(want) ? [...want].sort() : want,
          );
        }
      });
    });
  }

  it('fails closed on data that is not what the types promise', () => {
    const odd: Principal = {
      kind: 'user',
      userId: 'u-2',
      email: 'x@example.com',
      superAdmin: 'true' as unknown as boolean,
      memberships: new Map([['org-x', 'owner' as Role]]),
    };
    expect(roleIn(odd, 'org-x')).toBeUndefined();
    expect(roleIn(odd, 'org-y')).toBeUndefined();
    expect(can(odd, 'viewer', 'org-x')).toBe(false);
    expect(organisationsWhere(odd, 'viewer')).toEqual([]);
    const oddKey: Principal = {
      kind: 'apiKey',
      keyId: 'k',
      organisationId: 'o',
      role: 'root' as Role,
    };
    expect(roleIn(oddKey, 'o')).toBeUndefined();
    expect(organisationsWhere(oddKey, 'viewer')).toEqual([]);
  });

  it('does not find memberships through inherited property names', () => {
    for (const org of ['__proto__', 'constructor', 'toString', '']) {
      expect(roleIn(user, org)).toBeUndefined();
      expect(roleIn(keyOf('admin'), org)).toBeUndefined();
    }
  });
});

describe('actorOf', () => {
  it('names a user by user id and an API key by key id', () => {
    expect(actorOf(user)).toEqual({ actorType: 'user', actorId: 'u-1' });
    expect(actorOf(superAdmin)).toEqual({ actorType: 'user', actorId: 'u-root' });
    expect(actorOf(keyOf('admin'))).toEqual({ actorType: 'api_key', actorId: 'k-admin' });
  });
});
