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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
