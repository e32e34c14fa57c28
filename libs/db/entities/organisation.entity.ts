import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organisation' })
export class OrganisationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Stable, URL-safe identifier; unique across Perimeter. */
  @Column('varchar', { length: 63, unique: true })
  slug!: string;

  @Column('varchar', { length: 200 })
  name!: string;

  /** Largest page a connection serves for this organisation; null: the configured default. */
  @Column('integer', { name: 'max_page_size', nullable: true })
  maxPageSize!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
