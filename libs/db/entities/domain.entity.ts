import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { OrganisationEntity } from './organisation.entity';

/** A domain as one organisation's membership; the same name in two organisations is two rows. */
@Entity({ name: 'domain' })
@Index('domain_organisation_name_key', ['organisationId', 'name'], { unique: true })
@Index('domain_name_idx', ['name'])
export class DomainEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organisation_id' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: OrganisationEntity;

  /** ASCII (A-label) form, lowercase, no trailing dot. */
  @Column('varchar', { length: 253 })
  name!: string;

  /** Display (U-label) form. */
  @Column('varchar', { name: 'unicode_name', length: 1024 })
  unicodeName!: string;

  /** DKIM selectors to try besides the built-in catalogue. */
  @Column('text', { name: 'dkim_selectors', array: true, default: () => "'{}'" })
  dkimSelectors!: string[];

  /** Labels of this membership (the same name elsewhere has its own), lowercase, sorted. */
  @Column('text', { array: true, default: () => "'{}'" })
  labels!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
