import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Guidance1795353000000 implements MigrationInterface {
  name = 'Guidance1795353000000';

  async up(q: QueryRunner): Promise<void> {
    // One evaluation per scan (re-evaluation replaces it): the catalogue version it used and the
    // domain's compliance at the time of the scan. Organisation and domain are copied from the scan
    // so organisation summaries and trends read one indexed table.
    await q.query(`
      CREATE TABLE guidance_evaluation (
        scan_id uuid PRIMARY KEY REFERENCES scan (id) ON DELETE CASCADE,
        organisation_id uuid REFERENCES organisation (id) ON DELETE SET NULL,
        domain_id uuid REFERENCES domain (id) ON DELETE SET NULL,
        catalogue_version varchar(64) NOT NULL,
        scanned_at timestamptz NOT NULL,
        evaluated_at timestamptz NOT NULL DEFAULT now(),
        web_status varchar(16) NOT NULL
          CHECK (web_status IN ('compliant', 'non-compliant', 'unknown', 'not-applicable')),
        mail_status varchar(16) NOT NULL
          CHECK (mail_status IN ('compliant', 'non-compliant', 'unknown', 'not-applicable')),
        dmarc_phase varchar(16) NOT NULL CHECK (dmarc_phase IN
          ('not-implemented', 'assess', 'deploy', 'enforce', 'maintain', 'unknown')),
        criteria jsonb NOT NULL,
        uncatalogued text[] NOT NULL DEFAULT '{}'
      )`);
    // "A domain's newest evaluation before t", probed per domain and moment by compliance counts
    // and trends: covering, so the probe needs no table read.
    await q.query(
      `CREATE INDEX guidance_evaluation_domain_idx ON guidance_evaluation
         (domain_id, scanned_at DESC, scan_id DESC) INCLUDE (web_status, mail_status, dmarc_phase)`,
    );
    await q.query(
      `CREATE INDEX guidance_evaluation_organisation_idx ON guidance_evaluation (organisation_id, scanned_at)`,
    );
    await q.query(`
      CREATE TABLE guidance_tag (
        scan_id uuid NOT NULL REFERENCES guidance_evaluation (scan_id) ON DELETE CASCADE,
        tag_id varchar(100) NOT NULL,
        area varchar(32) NOT NULL,
        severity varchar(16) NOT NULL CHECK (severity IN ('pass', 'info', 'warning', 'fail')),
        scanner varchar(32),
        message text NOT NULL,
        evidence jsonb,
        PRIMARY KEY (scan_id, tag_id)
      )`);
    // "Which scans carry tag X" (filters by tag).
    await q.query(`CREATE INDEX guidance_tag_tag_idx ON guidance_tag (tag_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE guidance_tag`);
    await q.query(`DROP TABLE guidance_evaluation`);
  }
}
