import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795348570017 implements MigrationInterface {
  name = 'Foundation1795348570017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisation (
        id uuid PRIMARY KEY,
        slug varchar(63) NOT NULL CONSTRAINT organisation_slug_key UNIQUE
          CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
        name varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE domain (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        name varchar(253) NOT NULL CHECK (name = lower(name)),
        unicode_name varchar(1024) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX domain_organisation_name_key ON domain (organisation_id, name)`,
    );
    await q.query(`CREATE INDEX domain_name_idx ON domain (name)`);
    await q.query(`
      CREATE TABLE scan (
        id uuid PRIMARY KEY,
        kind varchar(32) NOT NULL CHECK (kind IN ('domain')),
        target varchar(1024) NOT NULL,
        organisation_id uuid REFERENCES organisation (id) ON DELETE SET NULL,
        domain_id uuid REFERENCES domain (id) ON DELETE SET NULL,
        status varchar(16) NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        workflow_id varchar(200) NOT NULL CONSTRAINT scan_workflow_id_key UNIQUE,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        error text
      )`);
    await q.query(`CREATE INDEX scan_domain_requested_idx ON scan (domain_id, requested_at DESC)`);
    await q.query(
      `CREATE INDEX scan_organisation_requested_idx ON scan (organisation_id, requested_at DESC)`,
    );
    // Scans still in flight are few and looked up often (progress, stuck-scan checks).
    await q.query(
      `CREATE INDEX scan_active_idx ON scan (requested_at) WHERE status IN ('queued', 'running')`,
    );
    await q.query(`
      CREATE TABLE scan_result (
        id uuid PRIMARY KEY,
        scan_id uuid NOT NULL REFERENCES scan (id) ON DELETE CASCADE,
        scanner varchar(32) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('completed', 'unknown', 'failed')),
        data jsonb,
        error text,
        attempt integer NOT NULL DEFAULT 1,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX scan_result_scan_scanner_key ON scan_result (scan_id, scanner)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scan_result`);
    await q.query(`DROP TABLE scan`);
    await q.query(`DROP TABLE domain`);
    await q.query(`DROP TABLE organisation`);
  }
}
