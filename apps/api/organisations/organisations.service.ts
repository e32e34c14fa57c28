import { Inject, Injectable } from '@nestjs/common';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { actorOf, organisationsWhere, type Principal, type Role } from '../../../libs/auth/roles';
import {
  createOrganisation,
  createUser,
  findUserByEmail,
  MembershipEntity,
  OrganisationEntity,
  recordAudit,
  setOrganisationPageSize,
  upsertMembership,
  UserEntity,
} from '../../../libs/db';
import { graphQLError } from '../common/graphql-errors';
import { assertUuid } from '../common/ids';
import { DATA_SOURCE } from '../tokens';
import type { MemberModel } from './models/member.model';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';
}

@Injectable()
export class OrganisationsService {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async list(principal: Principal): Promise<OrganisationEntity[]> {
    const ids = organisationsWhere(principal, 'viewer');
    const repo = this.dataSource.getRepository(OrganisationEntity);
    if (ids === 'all') return repo.find({ order: { slug: 'ASC' } });
    if (ids.length === 0) return [];
    return repo
      .createQueryBuilder('o')
      .where('o.id IN (:...ids)', { ids })
      .orderBy('o.slug')
      .getMany();
  }

  get(id: string): Promise<OrganisationEntity> {
    // The guard has already checked membership, so the row exists.
    return this.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ id });
  }

  async create(principal: Principal, slug: string, name: string): Promise<OrganisationEntity> {
    if (!SLUG.test(slug)) {
      throw graphQLError(
        'BAD_USER_INPUT',
        'slug: lowercase letters, digits and inner hyphens, 1-63 characters',
      );
    }
    if (!name.trim() || name.length > 200)
      throw graphQLError('BAD_USER_INPUT', 'name: 1-200 characters');
    try {
      return await this.dataSource.transaction(async (m) => {
        const org = await createOrganisation(m, { slug, name: name.trim() });
        await recordAudit(m, {
          organisationId: org.id,
          ...actorOf(principal),
          action: 'organisation.create',
          targetType: 'organisation',
          targetId: org.id,
          details: { slug },
        });
        return org;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw graphQLError('CONFLICT', `an organisation "${slug}" exists`);
      throw err;
    }
  }

  async members(organisationId: string): Promise<MemberModel[]> {
    const rows = await this.dataSource
      .getRepository(MembershipEntity)
      .find({ where: { organisationId }, order: { createdAt: 'ASC' } });
    const users = await this.dataSource
      .getRepository(UserEntity)
      .findByIds(rows.map((r) => r.userId));
    const byId = new Map(users.map((u) => [u.id, u]));
    return rows.map((r) => ({ ...r, user: byId.get(r.userId)! }));
  }

  /** Adds a person by email; someone Perimeter has not seen yet is created without a password. */
  async addMember(principal: Principal, organisationId: string, email: string, role: Role) {
    const normalised = email.trim().toLowerCase();
    if (!EMAIL.test(normalised)) throw graphQLError('BAD_USER_INPUT', 'not an email address');
    return this.dataSource.transaction(async (m) => {
      const user =
        (await findUserByEmail(m, normalised)) ?? (await createUser(m, { email: normalised }));
      const existing = await m
        .getRepository(MembershipEntity)
        .findOneBy({ userId: user.id, organisationId });
      if (existing)
        throw graphQLError(
          'CONFLICT',
          `${normalised} is already a member; change their role instead`,
        );
      const membership = await upsertMembership(m, { userId: user.id, organisationId, role });
      await this.audit(m, principal, organisationId, 'member.add', user.id, {
        email: normalised,
        role,
      });
      return { ...membership, user };
    });
  }

  async setRole(principal: Principal, organisationId: string, userId: string, role: Role) {
    return this.dataSource.transaction(async (m) => {
      const current = await this.membership(m, principal, organisationId, userId);
      if (current.role === 'admin' && role !== 'admin')
        await this.assertNotLastAdmin(m, organisationId);
      const membership = await upsertMembership(m, { userId, organisationId, role });
      await this.audit(m, principal, organisationId, 'member.role', userId, {
        from: current.role,
        to: role,
      });
      const user = await m.getRepository(UserEntity).findOneByOrFail({ id: userId });
      return { ...membership, user };
    });
  }

  async removeMember(
    principal: Principal,
    organisationId: string,
    userId: string,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.membership(m, principal, organisationId, userId);
      if (current.role === 'admin') await this.assertNotLastAdmin(m, organisationId);
      await m.getRepository(MembershipEntity).delete({ userId, organisationId });
      await this.audit(m, principal, organisationId, 'member.remove', userId, {
        role: current.role,
      });
      return true;
    });
  }

  private async membership(
    m: EntityManager,
    _principal: Principal,
    organisationId: string,
    userId: string,
  ) {
    assertUuid(userId, 'user');
    const membership = await m
      .getRepository(MembershipEntity)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where('ms.organisation_id = :organisationId AND ms.user_id = :userId', {
        organisationId,
        userId,
      })
      .getOne();
    if (!membership)
      throw graphQLError('NOT_FOUND', `no member ${userId.slice(0, 64)} in this organisation`);
    return membership;
  }

  async setPageSize(principal: Principal, organisationId: string, maxPageSize: number | null) {
    assertUuid(organisationId, 'organisation');
    if (maxPageSize !== null && (maxPageSize < 1 || maxPageSize > 1000))
      throw graphQLError('BAD_USER_INPUT', 'maxPageSize: 1-1000, or null for the default');
    return this.dataSource.transaction(async (m) => {
      const org = await m.getRepository(OrganisationEntity).findOneBy({ id: organisationId });
      if (!org) throw graphQLError('NOT_FOUND', 'no such organisation');
      await setOrganisationPageSize(m, organisationId, maxPageSize);
      await recordAudit(m, {
        organisationId,
        ...actorOf(principal),
        action: 'organisation.page-size',
        targetType: 'organisation',
        targetId: organisationId,
        details: { from: org.maxPageSize, to: maxPageSize },
      });
      return { ...org, maxPageSize };
    });
  }

  /** An organisation always keeps an admin, or nobody could manage it again. */
  private async assertNotLastAdmin(m: EntityManager, organisationId: string): Promise<void> {
    const admins = (await m.query(
      `SELECT user_id FROM membership WHERE organisation_id = $1 AND role = 'admin' FOR UPDATE`,
      [organisationId],
    )) as unknown[];
    if (admins.length <= 1)
      throw graphQLError('LAST_ADMIN', 'an organisation needs at least one admin');
  }

  private audit(
    m: EntityManager,
    principal: Principal,
    organisationId: string,
    action: string,
    userId: string,
    details: Record<string, unknown>,
  ) {
    return recordAudit(m, {
      organisationId,
      ...actorOf(principal),
      action,
      targetType: 'user',
      targetId: userId,
      details,
    });
  }
}
