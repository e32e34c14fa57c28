import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AttackSurface1795351000000 implements MigrationInterface {
  name = 'AttackSurface1795351000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cloud_environment (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX cloud_environment_organisation_name_key ON cloud_environment (organisation_id, name)`,
    );
    // The upload as received (gzip): the import workflow reads it by id, so a large inventory
    // never travels through workflow history.
    await q.query(`
      CREATE TABLE inventory_upload (
        id uuid PRIMARY KEY,
        environment_id uuid NOT NULL REFERENCES cloud_environment (id) ON DELETE CASCADE,
        content_gzip bytea NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 char(64) NOT NULL,
        created_by varchar(80),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE inventory_version (
        id uuid PRIMARY KEY,
        environment_id uuid NOT NULL REFERENCES cloud_environment (id) ON DELETE CASCADE,
        version integer NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('importing', 'ready', 'invalid', 'failed')),
        upload_id uuid NOT NULL REFERENCES inventory_upload (id) ON DELETE CASCADE,
        workflow_id varchar(200) NOT NULL CONSTRAINT inventory_version_workflow_id_key UNIQUE,
        vm_count integer,
        rule_count integer,
        -- What queries need, precomputed by the import (serialised surface index).
        index_data bytea,
        problems jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX inventory_version_environment_version_key ON inventory_version (environment_id, version)`,
    );
    await q.query(`
      CREATE TABLE surface_query (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        environment_id uuid NOT NULL REFERENCES cloud_environment (id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES inventory_version (id) ON DELETE CASCADE,
        kind varchar(32) NOT NULL,
        duration_ms double precision NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX surface_query_environment_at_idx ON surface_query (environment_id, at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE surface_query`);
    await q.query(`DROP TABLE inventory_version`);
    await q.query(`DROP TABLE inventory_upload`);
    await q.query(`DROP TABLE cloud_environment`);
  }
}
