import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BucketScanning1795356000000 implements MigrationInterface {
  name = 'BucketScanning1795356000000';

  async up(q: QueryRunner): Promise<void> {
    // One S3 endpoint per deployment (S3_ENDPOINT): a bucket name belongs to one organisation.
    await q.query(`
      CREATE TABLE bucket (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        name varchar(63) NOT NULL CONSTRAINT bucket_name_key UNIQUE
          CHECK (name ~ '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'),
        scan_on_upload boolean NOT NULL DEFAULT true,
        tag_objects boolean NOT NULL DEFAULT true,
        infected_action varchar(16) NOT NULL DEFAULT 'none'
          CHECK (infected_action IN ('none', 'quarantine', 'delete')),
        quarantine_bucket varchar(63),
        max_object_bytes bigint NOT NULL CHECK (max_object_bytes > 0),
        webhook_url text,
        webhook_secret text,
        notify_clean boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (infected_action <> 'quarantine' OR quarantine_bucket IS NOT NULL),
        CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
      )`);
    await q.query(`CREATE INDEX bucket_organisation_idx ON bucket (organisation_id)`);
    await q.query(`
      CREATE TABLE bucket_sweep (
        id uuid PRIMARY KEY,
        bucket_id uuid NOT NULL REFERENCES bucket (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        prefix text NOT NULL DEFAULT '',
        filters jsonb NOT NULL DEFAULT '{}',
        force boolean NOT NULL DEFAULT false,
        workflow_id varchar(200) NOT NULL CONSTRAINT bucket_sweep_workflow_id_key UNIQUE,
        listed integer NOT NULL DEFAULT 0,
        already_scanned integer NOT NULL DEFAULT 0,
        -- Frozen when the sweep ends (a later sweep may rescan the same objects).
        summary jsonb,
        requested_by varchar(80),
        error text,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX bucket_sweep_bucket_idx ON bucket_sweep (bucket_id, requested_at)`);
    // The newest verdict per object version; scan_count says how often clamd was asked for it.
    await q.query(`
      CREATE TABLE bucket_object_result (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bucket_id uuid NOT NULL REFERENCES bucket (id) ON DELETE CASCADE,
        object_key text NOT NULL,
        -- The S3 version id, or "etag:<etag>" on unversioned buckets.
        object_version text NOT NULL,
        etag text,
        size_bytes bigint,
        verdict varchar(16) NOT NULL CHECK (verdict IN ('CLEAN', 'INFECTED', 'SKIPPED', 'ERROR')),
        signatures text[] NOT NULL DEFAULT '{}',
        reason text,
        engine_version text,
        database_version integer,
        database_time timestamptz,
        scanned_at timestamptz NOT NULL DEFAULT now(),
        scan_count integer NOT NULL DEFAULT 1,
        sweep_id uuid REFERENCES bucket_sweep (id) ON DELETE SET NULL,
        actions jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT bucket_object_result_version_key UNIQUE (bucket_id, object_key, object_version)
      )`);
    await q.query(
      `CREATE INDEX bucket_object_result_verdict_idx ON bucket_object_result (bucket_id, verdict, id)`,
    );
    await q.query(
      `CREATE INDEX bucket_object_result_sweep_idx ON bucket_object_result (sweep_id, verdict)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bucket_object_result`);
    await q.query(`DROP TABLE bucket_sweep`);
    await q.query(`DROP TABLE bucket`);
  }
}
