import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProofAndProbes1795358000000 implements MigrationInterface {
  name = 'ProofAndProbes1795358000000';

  async up(q: QueryRunner): Promise<void> {
    // External probes: registered by name per organisation; presence is the last heartbeat.
    await q.query(`
      CREATE TABLE probe (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
        tool varchar(200),
        registered_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX probe_organisation_name_key ON probe (organisation_id, name)`,
    );
    // A standard result {version, format, meta, payload} as received; meta.uuid is the probe's own
    // id for it, so a result posted twice is stored once.
    await q.query(`
      CREATE TABLE probe_result (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        probe_id uuid NOT NULL REFERENCES probe (id) ON DELETE CASCADE,
        result_uuid uuid NOT NULL,
        result_type varchar(100) NOT NULL,
        result_ts timestamptz NOT NULL,
        document jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX probe_result_organisation_uuid_key ON probe_result (organisation_id, result_uuid)`,
    );
    await q.query(
      `CREATE INDEX probe_result_organisation_received_idx ON probe_result (organisation_id, received_at DESC)`,
    );
    // RFC 3161 tokens beside the results they prove: a scan result or a probe result, never both.
    await q.query(`
      CREATE TABLE result_timestamp (
        id uuid PRIMARY KEY,
        scan_result_id uuid UNIQUE REFERENCES scan_result (id) ON DELETE CASCADE,
        probe_result_id uuid UNIQUE REFERENCES probe_result (id) ON DELETE CASCADE,
        canonical_version smallint NOT NULL,
        digest bytea NOT NULL CHECK (octet_length(digest) = 32),
        tsa_name varchar(100) NOT NULL,
        token bytea NOT NULL,
        gen_time timestamptz NOT NULL,
        serial_number varchar(80) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((scan_result_id IS NULL) <> (probe_result_id IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE result_timestamp`);
    await q.query(`DROP TABLE probe_result`);
    await q.query(`DROP TABLE probe`);
  }
}
