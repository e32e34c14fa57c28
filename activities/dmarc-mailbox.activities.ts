import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type {
  DmarcMailboxActivities,
  DmarcMailboxBatch,
  DmarcMailboxMessage,
} from '../libs/contracts';
import { createDmarcUpload, findDmarcUploadBySource } from '../libs/db/dmarc-reports.repository';
import { ensureFolder, mailboxClient, type MailboxSettings } from './dmarc-reports/mailbox';

const BATCH = 25;

export interface DmarcMailboxDeps {
  dataSource: DataSource;
  settings: (MailboxSettings & { organisation: string }) | undefined;
  maxMessageBytes: number;
}

/**
 * The mailbox source: each message becomes an upload (the same pipeline as API uploads), then
 * is moved to the processed or failed folder once its ingest has finished.
 */
export function createDmarcMailboxActivities(deps: DmarcMailboxDeps): DmarcMailboxActivities {
  const settings = () => {
    if (!deps.settings)
      throw ApplicationFailure.nonRetryable('no mailbox configured (DMARC_IMAP_URL)', 'NoMailbox');
    return deps.settings;
  };

  return {
    async fetchDmarcMailbox(): Promise<DmarcMailboxBatch> {
      const s = settings();
      const [org] = (await deps.dataSource.query(`SELECT id FROM organisation WHERE slug = $1`, [
        s.organisation,
      ])) as Array<{ id: string }>;
      if (!org) {
        throw ApplicationFailure.nonRetryable(
          `DMARC_IMAP_ORGANISATION: no organisation "${s.organisation}"`,
          'UnknownOrganisation',
        );
      }
      const client = mailboxClient(s);
      await client.connect();
      try {
        const lock = await client.getMailboxLock(s.mailbox);
        try {
          const mailbox = client.mailbox;
          const uidValidity = mailbox ? String(mailbox.uidValidity) : '0';
          if (!mailbox || mailbox.exists === 0) return { uidValidity, messages: [], more: false };
          const all = await client.fetchAll('1:*', { uid: true, size: true });
          const batch = all.sort((a, b) => a.uid - b.uid).slice(0, BATCH);
          const messages: DmarcMailboxMessage[] = [];
          for (const m of batch) {
            Context.current().heartbeat(m.uid);
            if ((m.size ?? 0) > deps.maxMessageBytes) {
              messages.push({
                uid: m.uid,
                refused: `message of ${m.size} bytes is over the limit`,
              });
              continue;
            }
            const sourceRef = `imap:${s.mailbox}:${uidValidity}:${m.uid}`;
            // A retried poll finds the upload it made before instead of making another.
            const existing = await findDmarcUploadBySource(
              deps.dataSource,
              org.id,
              'imap',
              sourceRef,
            );
            if (existing) {
              messages.push({ uid: m.uid, uploadId: existing.id });
              continue;
            }
            const full = await client.fetchOne(String(m.uid), { source: true }, { uid: true });
            if (!full || !full.source) {
              messages.push({ uid: m.uid, refused: 'the server returned no message body' });
              continue;
            }
            const upload = await createDmarcUpload(deps.dataSource, {
              organisationId: org.id,
              source: 'imap',
              sourceRef,
              content: full.source,
              createdBy: 'imap',
            });
            messages.push({ uid: m.uid, uploadId: upload.id });
          }
          return { uidValidity, messages, more: all.length > batch.length };
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    },

    async settleDmarcMailbox({ uidValidity, processed, failed }) {
      const s = settings();
      const client = mailboxClient(s);
      await client.connect();
      try {
        await ensureFolder(client, s.processedFolder);
        await ensureFolder(client, s.failedFolder);
        const lock = await client.getMailboxLock(s.mailbox);
        try {
          // UIDs mean nothing once UIDVALIDITY changed; the next poll sees the messages again.
          if (String(client.mailbox && client.mailbox.uidValidity) !== uidValidity) return;
          if (processed.length)
            await client.messageMove(processed.join(','), s.processedFolder, { uid: true });
          if (failed.length)
            await client.messageMove(failed.join(','), s.failedFolder, { uid: true });
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };
}
