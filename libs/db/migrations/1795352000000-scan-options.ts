import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScanOptions1795352000000 implements MigrationInterface {
  name = 'ScanOptions1795352000000';

  async up(q: QueryRunner): Promise<void> {
    // Selectors given with a scan are remembered for the domain's later scans.
    await q.query(`ALTER TABLE domain ADD COLUMN dkim_selectors text[] NOT NULL DEFAULT '{}'`);
    // Which scanners a scan was asked to run (null: every scanner of its time).
    await q.query(`ALTER TABLE scan ADD COLUMN scanners text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scan DROP COLUMN scanners`);
    await q.query(`ALTER TABLE domain DROP COLUMN dkim_selectors`);
  }
}
