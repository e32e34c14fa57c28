import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ResultStatus } from '../../contracts/scan.contract';
import { ScanEntity } from './scan.entity';

/** One scanner's outcome within a scan; (scan, scanner) is unique so activity retries upsert. */
@Entity({ name: 'scan_result' })
@Index('scan_result_scan_scanner_key', ['scanId', 'scanner'], { unique: true })
export class ScanResultEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'scan_id' })
  scanId!: string;

  @ManyToOne(() => ScanEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'scan_id' })
  scan?: ScanEntity;

  @Column('varchar', { length: 32 })
  scanner!: string;

  @Column('varchar', { length: 16 })
  status!: ResultStatus;

  @Column('jsonb', { nullable: true })
  data!: Record<string, unknown> | null;

  @Column('text', { nullable: true })
  error!: string | null;

  /** Activity attempt that wrote this row. */
  @Column('integer', { default: 1 })
  attempt!: number;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'finished_at' })
  finishedAt!: Date;
}
