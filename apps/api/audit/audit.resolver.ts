import { Inject } from '@nestjs/common';
import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { DataSource } from 'typeorm';
import { listAudit } from '../../../libs/db';
import { InOrganisation } from '../auth/authorize.decorator';
import { graphQLError } from '../common/graphql-errors';
import { DATA_SOURCE } from '../tokens';
import { AuditEntryModel } from './models/audit-entry.model';

@Resolver(() => AuditEntryModel)
export class AuditResolver {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @InOrganisation('admin')
  @Query(() => [AuditEntryModel], {
    description: 'Newest first; page with `before` (an entry id).',
  })
  auditLog(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
    @Args('before', { type: () => ID, nullable: true }) before?: string | null,
  ) {
    if (limit < 1 || limit > 200) throw graphQLError('BAD_USER_INPUT', 'limit: 1-200');
    if (before && !/^\d{1,19}$/.test(before))
      throw graphQLError('BAD_USER_INPUT', 'before: an entry id');
    return listAudit(this.dataSource, organisationId, { limit, beforeId: before ?? undefined });
  }
}
