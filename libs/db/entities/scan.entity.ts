import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ScanKind, ScanStatus } from '../../contracts/scan.contract';
import { DomainEntity } from './domain.entity';
import { OrganisationEntity } from './organisation.entity';

@Entity({ name: 'scan' })
@Index('scan_domain_requested_idx', ['domainId', 'requestedAt'])
@Index('scan_organisation_requested_idx', ['organisationId', 'requestedAt'])
export class ScanEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('varchar', { length: 32 })
  kind!: ScanKind;

  /** What was scanned, as given to the scanners (a domain's ASCII form for domain scans). */
  @Column('varchar', { length: 1024 })
  target!: string;

  @Column('uuid', { name: 'organisation_id', nullable: true })
  organisationId!: string | null;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: OrganisationEntity | null;

  @Column('uuid', { name: 'domain_id', nullable: true })
  domainId!: string | null;

  @ManyToOne(() => DomainEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'domain_id' })
  domain?: DomainEntity | null;

  @Column('varchar', { length: 16 })
  status!: ScanStatus;

  @Column('varchar', { name: 'workflow_id', length: 200, unique: true })
  workflowId!: string;

  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' })
  requestedAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('text', { nullable: true })
  error!: string | null;

  /** The scanners asked for; null for scans from before scanners could be chosen. */
  @Column('text', { array: true, nullable: true })
  scanners!: string[] | null;

  /** `user:<id>` or `api_key:<id>`; null for scans from before access control. */
  @Column('varchar', { name: 'requested_by', length: 80, nullable: true })
  requestedBy!: string | null;
}
