import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../../auth/roles';

/** A machine credential: the secret is shown once; only its hash is kept. */
@Entity({ name: 'api_key' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** The lookup part of the token, in clear. */
  @Column('varchar', { name: 'public_id', length: 32 })
  publicId!: string;

  @Column('char', { name: 'secret_hash', length: 64, select: false })
  secretHash!: string;

  @Column('uuid', { name: 'organisation_id' })
  organisationId!: string;

  @Column('varchar', { length: 16 })
  role!: Role;

  @Column('varchar', { length: 200 })
  name!: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}
