import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrganisationScansAndAudits1795355000000 implements MigrationInterface {
  name = 'OrganisationScansAndAudits1795355000000';

  async up(q: QueryRunner): Promise<void> {
    // A recurring audit: its schedule lives in Temporal (the source of truth for its state); this
    // row lists it per organisation and names what it scans.
    await q.query(`
      CREATE TABLE recurring_audit (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        name varchar(63) NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        target_kind varchar(16) NOT NULL CHECK (target_kind IN ('domain', 'organisation')),
        -- A removed domain leaves its audit (and its Temporal Schedule) visible, to be deleted.
        domain_id uuid REFERENCES domain (id) ON DELETE SET NULL,
        domain_name varchar(253),
        scanners text[],
        schedule_id varchar(400) NOT NULL CONSTRAINT recurring_audit_schedule_id_key UNIQUE,
        created_by varchar(80),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((target_kind = 'domain') = (domain_name IS NOT NULL)),
        CHECK (target_kind = 'domain' OR domain_id IS NULL)
      )`);
    await q.query(
      `CREATE INDEX recurring_audit_organisation_idx ON recurring_audit (organisation_id, name)`,
    );
    // One scan of every domain of an organisation: a parent workflow over child domain scans.
    await q.query(`
      CREATE TABLE organisation_scan (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        workflow_id varchar(200) NOT NULL CONSTRAINT organisation_scan_workflow_id_key UNIQUE,
        scanners text[] NOT NULL,
        concurrency int NOT NULL CHECK (concurrency BETWEEN 1 AND 100),
        domain_count int,
        requested_by varchar(80),
        recurring_audit_id uuid REFERENCES recurring_audit (id) ON DELETE SET NULL,
        -- The scheduled run that created it: a retried activity finds it instead of adding another.
        audit_run varchar(300) CONSTRAINT organisation_scan_audit_run_key UNIQUE,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        error text
      )`);
    await q.query(
      `CREATE INDEX organisation_scan_organisation_idx ON organisation_scan (organisation_id, requested_at DESC)`,
    );
    await q.query(`
      ALTER TABLE scan
        ADD COLUMN organisation_scan_id uuid REFERENCES organisation_scan (id) ON DELETE SET NULL,
        ADD COLUMN recurring_audit_id uuid REFERENCES recurring_audit (id) ON DELETE SET NULL,
        ADD COLUMN audit_run varchar(300)`);
    // Child scans are created by a retryable activity: one per (organisation scan, domain).
    await q.query(
      `CREATE UNIQUE INDEX scan_organisation_scan_domain_key ON scan (organisation_scan_id, domain_id)
       WHERE organisation_scan_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX scan_audit_run_key ON scan (audit_run) WHERE audit_run IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX scan_recurring_audit_idx ON scan (recurring_audit_id, requested_at DESC)
       WHERE recurring_audit_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX scan_recurring_audit_idx`);
    await q.query(`DROP INDEX scan_audit_run_key`);
    await q.query(`DROP INDEX scan_organisation_scan_domain_key`);
    await q.query(
      `ALTER TABLE scan DROP COLUMN audit_run, DROP COLUMN recurring_audit_id, DROP COLUMN organisation_scan_id`,
    );
    await q.query(`DROP TABLE organisation_scan`);
    await q.query(`DROP TABLE recurring_audit`);
  }
}
