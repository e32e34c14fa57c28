import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DmarcReports1795357000000 implements MigrationInterface {
  name = 'DmarcReports1795357000000';

  async up(q: QueryRunner): Promise<void> {
    // Everything that arrives (upload, mailbox message, bucket object) as received: the ingest
    // workflow reads it by id, so report bytes never travel through workflow history.
    await q.query(`
      CREATE TABLE dmarc_report_upload (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        source varchar(16) NOT NULL CHECK (source IN ('upload', 'imap', 'bucket')),
        source_ref varchar(1000) NOT NULL,
        content bytea NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 char(64) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        workflow_id varchar(200) NOT NULL CONSTRAINT dmarc_report_upload_workflow_id_key UNIQUE,
        outcome jsonb,
        error text,
        created_by varchar(80),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX dmarc_report_upload_organisation_idx ON dmarc_report_upload (organisation_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE dmarc_report (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        upload_id uuid REFERENCES dmarc_report_upload (id) ON DELETE SET NULL,
        reporter_org varchar(512) NOT NULL,
        report_id varchar(512) NOT NULL,
        reporter_email varchar(512),
        extra_contact_info text,
        schema varchar(8) NOT NULL,
        version varchar(16),
        namespaced boolean NOT NULL,
        generator varchar(512),
        domain varchar(253) NOT NULL,
        begin_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        policy jsonb NOT NULL,
        reporter_errors jsonb NOT NULL,
        warnings jsonb NOT NULL,
        record_count integer NOT NULL DEFAULT 0,
        message_count bigint NOT NULL DEFAULT 0,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A report is its reporter plus its id: the same report delivered twice is stored once.
    await q.query(
      `CREATE UNIQUE INDEX dmarc_report_identity_key ON dmarc_report (organisation_id, reporter_org, report_id)`,
    );
    await q.query(
      `CREATE INDEX dmarc_report_domain_idx ON dmarc_report (organisation_id, domain, begin_at DESC, id)`,
    );
    await q.query(`
      CREATE TABLE dmarc_report_record (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        report_id uuid NOT NULL REFERENCES dmarc_report (id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL,
        domain varchar(253) NOT NULL,
        day date NOT NULL,
        source_ip inet NOT NULL,
        message_count integer NOT NULL,
        disposition varchar(32) NOT NULL,
        dkim_aligned boolean NOT NULL,
        spf_aligned boolean NOT NULL,
        dkim_pass boolean NOT NULL,
        spf_pass boolean NOT NULL,
        header_from varchar(253),
        envelope_from varchar(253),
        envelope_to varchar(253),
        reasons jsonb NOT NULL,
        dkim_results jsonb NOT NULL,
        spf_results jsonb NOT NULL
      )`);
    await q.query(
      `CREATE INDEX dmarc_report_record_domain_day_idx ON dmarc_report_record (organisation_id, domain, day)`,
    );
    await q.query(
      `CREATE INDEX dmarc_report_record_report_idx ON dmarc_report_record (report_id, id)`,
    );
    // Enrichment of source addresses, shared by every organisation, refreshed after expires_at.
    await q.query(`
      CREATE TABLE dmarc_source (
        ip inet PRIMARY KEY,
        ptr varchar(253),
        base_domain varchar(253),
        sender varchar(100),
        sender_category varchar(32),
        country char(2),
        asn bigint,
        as_name varchar(200),
        lookup_error varchar(200),
        resolved_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dmarc_source`);
    await q.query(`DROP TABLE dmarc_report_record`);
    await q.query(`DROP TABLE dmarc_report`);
    await q.query(`DROP TABLE dmarc_report_upload`);
  }
}
