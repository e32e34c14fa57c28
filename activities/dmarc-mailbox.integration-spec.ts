import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { DMARC_MAILBOX_SCHEDULE_ID, TaskQueues } from '../libs/contracts';
import { createOrganisation } from '../libs/db';
import { ensureDmarcMailboxSchedule } from '../libs/temporal/dmarc-mailbox-schedule';
import { startDovecot, type DovecotServer } from '../test/support/dovecot-server';
import { recordHistoryIfAsked } from '../test/support/record-history';
import { startTestStack, type TestStack } from '../test/support/test-stack';

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, '../libs/dmarc-report/fixtures', name));

function zipOf(name: string, data: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/(.{76})/g, '$1\r\n');
const headers = (subject: string, id: string) =>
  `From: dmarc-reports@receiver.example\r\nTo: rua@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${id}@receiver.example>\r\nDate: Wed, 21 Oct 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;

describe('DMARC reports from an IMAP mailbox (real Dovecot)', () => {
  let imap: DovecotServer;
  let stack: TestStack;
  let client: ImapFlow;
  const newClient = () =>
    new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
    });

  beforeAll(async () => {
    imap = await startDovecot();
    stack = await startTestStack({
      env: {
        DMARC_IMAP_URL: imap.url,
        DMARC_IMAP_ORGANISATION: 'mailbox-org',
        DMARC_IMAP_POLL_SECONDS: '3600',
      },
    });
    await createOrganisation(stack.db.dataSource, { slug: 'mailbox-org', name: 'Mailbox' });
    client = newClient();
    await client.connect();
  });
  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    await stack?.stop();
    await imap?.stop();
  });

  /** Subjects in a folder, through a connection of its own (a selected folder's counts are cached). */
  async function folder(name: string): Promise<string[]> {
    const reader = newClient();
    await reader.connect();
    try {
      const status = await reader.status(name, { messages: true }).catch(() => false as const);
      if (!status || !status.messages) return [];
      const lock = await reader.getMailboxLock(name);
      try {
        const messages = await reader.fetchAll('1:*', { envelope: true });
        return messages.map((m) => m.envelope?.subject ?? '').sort();
      } finally {
        lock.release();
      }
    } finally {
      await reader.logout();
    }
  }

  it('the worker schedules the poll; a run ingests each message and files it', async () => {
    const gz = gzipSync(fixture('rfc7489.xml'));
    await client.append(
      'INBOX',
      `${headers('Report domain: example.org Submitter: google.com', 'a')}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nreport attached\r\n--b\r\nContent-Type: application/gzip; name="google.xml.gz"\r\nContent-Disposition: attachment; filename="google.xml.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(gz)}\r\n--b--\r\n`,
    );
    await client.append(
      'INBOX',
      `${headers('Report again (duplicate)', 'b')}Content-Type: application/zip; name="google.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(await zipOf('google.xml', fixture('rfc7489.xml')))}\r\n`,
    );
    await client.append(
      'INBOX',
      `${headers('Yahoo report in the body', 'c')}Content-Type: text/xml; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${fixture('draft.xml').toString().replace(/=/g, '=3D')}`,
    );
    await client.append(
      'INBOX',
      `${headers('Out of office', 'd')}Content-Type: text/plain\r\n\r\nI am away.\r\n`,
    );

    await stack.startWorker(TaskQueues.dmarcReports);
    const schedule = stack.client.schedule.getHandle(DMARC_MAILBOX_SCHEDULE_ID);
    const described = await schedule.describe();
    expect(described.spec.intervals?.map((i) => Number(i.every))).toEqual([3_600_000]);
    expect(described.action).toMatchObject({ workflowType: 'dmarcMailboxPoll' });

    await schedule.trigger();
    const deadline = Date.now() + 60_000;
    while ((await folder('INBOX')).length > 0) {
      if (Date.now() > deadline) throw new Error('the mailbox was never emptied');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await folder('Processed')).toEqual([
      'Report again (duplicate)',
      'Report domain: example.org Submitter: google.com',
      'Yahoo report in the body',
    ]);
    expect(await folder('Failed')).toEqual(['Out of office']);
    for await (const run of stack.client.workflow.list({
      query: `WorkflowType = 'dmarcMailboxPoll'`,
    })) {
      expect(await stack.client.workflow.getHandle(run.workflowId).result()).toEqual({
        processed: 3,
        failed: 1,
      });
      await recordHistoryIfAsked(stack, run.workflowId);
    }

    const reports = (await stack.db.dataSource.query(
      `SELECT r.reporter_org AS reporter, r.record_count AS records, u.source
         FROM dmarc_report r JOIN dmarc_report_upload u ON u.id = r.upload_id
         JOIN organisation o ON o.id = r.organisation_id
        WHERE o.slug = 'mailbox-org' ORDER BY 1`,
    )) as Array<{ reporter: string; records: number; source: string }>;
    expect(reports).toEqual([
      { reporter: 'Yahoo! Inc.', records: 1, source: 'imap' },
      { reporter: 'google.com', records: 2, source: 'imap' },
    ]);
  }, 90_000);

  it('creating the schedule again is success, and a new interval updates it', async () => {
    await ensureDmarcMailboxSchedule(stack.client, 600);
    const described = await stack.client.schedule.getHandle(DMARC_MAILBOX_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.map((i) => Number(i.every))).toEqual([600_000]);
  });
});
