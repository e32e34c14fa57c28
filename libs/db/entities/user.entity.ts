import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A person. Signs in locally (password) or through OIDC (issuer + subject). */
@Entity({ name: 'app_user' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Lowercase. */
  @Column('varchar', { length: 320 })
  email!: string;

  @Column('varchar', { name: 'display_name', length: 200 })
  displayName!: string;

  @Column('text', { name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  @Column('boolean', { name: 'super_admin' })
  superAdmin!: boolean;

  @Column('varchar', { name: 'oidc_issuer', length: 1024, nullable: true })
  oidcIssuer!: string | null;

  @Column('varchar', { name: 'oidc_subject', length: 255, nullable: true })
  oidcSubject!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;
}
