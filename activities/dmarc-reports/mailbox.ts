import { ImapFlow } from 'imapflow';

export interface MailboxSettings {
  /** `imap://user:password@host:port` (STARTTLS when offered) or `imaps://…` (TLS). */
  url: string;
  mailbox: string;
  processedFolder: string;
  failedFolder: string;
  allowInsecure: boolean;
}

export class MailboxConfigError extends Error {
  override readonly name = 'MailboxConfigError';
}

/** An IMAP client for the configured mailbox (imapflow), not yet connected. */
export function mailboxClient(settings: MailboxSettings): ImapFlow {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new MailboxConfigError('DMARC_IMAP_URL is not a URL');
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') {
    throw new MailboxConfigError('DMARC_IMAP_URL must start with imap:// or imaps://');
  }
  const secure = url.protocol === 'imaps:';
  return new ImapFlow({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    tls: { rejectUnauthorized: !settings.allowInsecure },
    logger: false,
    // A poll is short-lived: no IDLE, no reconnect loop.
    disableAutoIdle: true,
  });
}

/** Creates a folder unless it exists. */
export async function ensureFolder(client: ImapFlow, path: string): Promise<void> {
  const existing = await client.list();
  if (existing.some((m) => m.path === path)) return;
  await client.mailboxCreate(path);
}
