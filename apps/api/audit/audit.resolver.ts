import { Inject } from '@nestjs/common';
import { Args, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { DataSource } from 'typeorm';
import { auditLogQuery } from '../../../libs/db';
import { InOrganisation } from '../auth/authorize.decorator';
import { ConnectionArgs, connectionType, relayConnection } from '../common/relay-connection';
import { DATA_SOURCE } from '../tokens';
import { AuditEntryModel } from './models/audit-entry.model';

@ObjectType()
export class AuditEntryConnection extends connectionType(AuditEntryModel, 'AuditEntry') {}

@Resolver(() => AuditEntryModel)
export class AuditResolver {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @InOrganisation('admin')
  @Query(() => AuditEntryConnection, {
    description: 'Newest first, as a Relay connection; `action` keeps one kind of change.',
  })
  auditLog(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args() page: ConnectionArgs,
    @Args('action', { type: () => String, nullable: true }) action?: string | null,
  ) {
    return relayConnection(
      this.dataSource,
      auditLogQuery(organisationId, { action: action ?? undefined }),
      page,
      (row: Record<string, unknown>) => row as unknown as AuditEntryModel,
    );
  }
}
