import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who changed what: members, keys, domains, organisations. Append-only. */
@Entity({ name: 'audit_log' })
export class AuditLogEntity {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('uuid', { name: 'organisation_id', nullable: true })
  organisationId!: string | null;

  @Column('varchar', { name: 'actor_type', length: 16 })
  actorType!: 'user' | 'api_key' | 'system';

  @Column('varchar', { name: 'actor_id', length: 64, nullable: true })
  actorId!: string | null;

  @Column('varchar', { length: 64 })
  action!: string;

  @Column('varchar', { name: 'target_type', length: 32 })
  targetType!: string;

  @Column('varchar', { name: 'target_id', length: 255, nullable: true })
  targetId!: string | null;

  @Column('jsonb')
  details!: Record<string, unknown>;

  @Column('timestamptz')
  at!: Date;
}
