import type { MigrationInterface, QueryRunner } from 'typeorm';

// `scan` and `scan_progress` changes are announced on this channel (SCAN_PROGRESS_CHANNEL).
const SCAN_PROGRESS_CHANNEL = 'perimeter_scan_progress';

export class GraphqlSurface1795354000000 implements MigrationInterface {
  name = 'GraphqlSurface1795354000000';

  async up(q: QueryRunner): Promise<void> {
    // Labels of a domain membership (per organisation), filtered with `labels @> '{x}'`.
    await q.query(`ALTER TABLE domain ADD COLUMN labels text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX domain_labels_idx ON domain USING gin (labels)`);
    // Keyset paging orders domains by name or by creation, with the id as tie-breaker.
    await q.query(
      `CREATE INDEX domain_organisation_created_idx ON domain (organisation_id, created_at, id)`,
    );
    await q.query(
      `CREATE INDEX scan_organisation_requested_id_idx ON scan (organisation_id, requested_at, id)`,
    );
    // A per-organisation page-size cap below (or above) the configured default.
    await q.query(
      `ALTER TABLE organisation ADD COLUMN max_page_size integer CHECK (max_page_size BETWEEN 1 AND 1000)`,
    );
    // Each scanner's state within a scan, written by the API (pending) and the activities.
    await q.query(`
      CREATE TABLE scan_progress (
        scan_id uuid NOT NULL REFERENCES scan (id) ON DELETE CASCADE,
        scanner varchar(32) NOT NULL,
        state varchar(24) NOT NULL CHECK (state IN
          ('pending', 'running', 'done', 'failed', 'could-not-determine', 'cancelled')),
        attempt integer NOT NULL DEFAULT 0,
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scan_id, scanner)
      )`);
    // Every change announces itself inside the writing transaction: listeners in any API process
    // hear it exactly when it commits, whoever wrote it (worker, API, migration, psql).
    await q.query(`
      CREATE FUNCTION notify_scan_progress() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${SCAN_PROGRESS_CHANNEL}',
          json_build_object('scanId',
            COALESCE(to_jsonb(NEW) ->> 'scan_id', to_jsonb(NEW) ->> 'id'))::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER scan_progress_notify AFTER INSERT OR UPDATE ON scan_progress
        FOR EACH ROW EXECUTE FUNCTION notify_scan_progress()`);
    await q.query(`
      CREATE TRIGGER scan_status_notify AFTER UPDATE OF status, started_at, finished_at ON scan
        FOR EACH ROW EXECUTE FUNCTION notify_scan_progress()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER scan_status_notify ON scan`);
    await q.query(`DROP TABLE scan_progress`);
    await q.query(`DROP FUNCTION notify_scan_progress()`);
    await q.query(`ALTER TABLE organisation DROP COLUMN max_page_size`);
    await q.query(`DROP INDEX scan_organisation_requested_id_idx`);
    await q.query(`DROP INDEX domain_organisation_created_idx`);
    await q.query(`DROP INDEX domain_labels_idx`);
    await q.query(`ALTER TABLE domain DROP COLUMN labels`);
  }
}
