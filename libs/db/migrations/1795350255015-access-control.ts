import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccessControl1795350255015 implements MigrationInterface {
  name = 'AccessControl1795350255015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY,
        email varchar(320) NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
        display_name varchar(200) NOT NULL DEFAULT '',
        password_hash text,
        super_admin boolean NOT NULL DEFAULT false,
        oidc_issuer varchar(1024),
        oidc_subject varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (email)`);
    await q.query(
      `CREATE UNIQUE INDEX app_user_oidc_key ON app_user (oidc_issuer, oidc_subject) WHERE oidc_issuer IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE membership (
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, organisation_id)
      )`);
    await q.query(`CREATE INDEX membership_organisation_idx ON membership (organisation_id)`);
    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY,
        public_id varchar(32) NOT NULL CONSTRAINT api_key_public_id_key UNIQUE,
        secret_hash char(64) NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        name varchar(200) NOT NULL,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX api_key_organisation_idx ON api_key (organisation_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organisation_id uuid REFERENCES organisation (id) ON DELETE SET NULL,
        actor_type varchar(16) NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
        actor_id varchar(64),
        action varchar(64) NOT NULL,
        target_type varchar(32) NOT NULL,
        target_id varchar(255),
        details jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX audit_log_organisation_at_idx ON audit_log (organisation_id, at DESC, id DESC)`,
    );
    await q.query(`ALTER TABLE scan ADD COLUMN requested_by varchar(80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scan DROP COLUMN requested_by`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE api_key`);
    await q.query(`DROP TABLE membership`);
    await q.query(`DROP TABLE app_user`);
  }
}
