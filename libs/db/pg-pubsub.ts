import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** What a listener hears: a notification's payload, or `null` after a reconnect (re-read state). */
export type PgListener = (payload: string | null) => void;

export interface PgPubSubOptions {
  /** Called when the listening connection fails; it reconnects by itself. */
  onError?: (err: Error) => void;
  /** Delay before a reconnect attempt; doubles up to 10 s. */
  reconnectDelayMs?: number;
  /** Shown in pg_stat_activity for the listening connection. */
  applicationName?: string;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Postgres LISTEN/NOTIFY for one process: a single dedicated connection LISTENs on every channel
 * that has subscribers and fans each notification out to them. Works across processes because the
 * database, not this object, carries the messages. Hand-written over `pg` (about a page): the npm
 * wrappers for this (pg-listen, pg-pubsub) have not been maintained for years.
 */
export class PgPubSub {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly listeners = new Map<string, Set<PgListener>>();
  private closed = false;
  private delay: number;

  constructor(
    private readonly url: string,
    private readonly options: PgPubSubOptions = {},
  ) {
    this.delay = options.reconnectDelayMs ?? 250;
  }

  /** Starts listening on `channel`; resolves once LISTEN is in effect. Returns the unsubscribe. */
  async subscribe(channel: string, listener: PgListener): Promise<() => Promise<void>> {
    if (!CHANNEL.test(channel)) throw new RangeError(`not a channel name: ${channel}`);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (set.size === 1) {
      const client = await this.connect();
      await client.query(`LISTEN ${channel}`);
    } else {
      await this.connect();
    }
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.url,
        application_name: this.options.applicationName ?? 'perimeter-listen',
      });
      client.on('notification', (n) => {
        for (const l of this.listeners.get(n.channel) ?? []) l(n.payload ?? '');
      });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, new Error('listening connection ended')));
      await client.connect();
      this.client = client;
      return client;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** The connection went away: reconnect, LISTEN again, and tell everyone to re-read. */
  private lost(client: Client, err: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.options.onError?.(err);
    void client.end().catch(() => undefined);
    const retry = async (): Promise<void> => {
      if (this.closed || this.listeners.size === 0) return;
      try {
        const fresh = await this.connect();
        for (const channel of this.listeners.keys()) await fresh.query(`LISTEN ${channel}`);
        this.delay = this.options.reconnectDelayMs ?? 250;
        for (const set of this.listeners.values()) for (const l of set) l(null);
      } catch (e) {
        this.options.onError?.(e as Error);
        this.delay = Math.min(this.delay * 2, 10_000);
        setTimeout(() => void retry(), this.delay).unref();
      }
    };
    setTimeout(() => void retry(), this.delay).unref();
  }
}

/** NOTIFY from inside a transaction: delivered when (and only if) it commits. */
export async function pgNotify(
  db: DataSource | EntityManager,
  channel: string,
  payload: string,
): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/** Wake-ups from one channel, see `pgWakeups`. */
export interface PgWakeups {
  /** Resolves true once something arrived since the last call; false when closed. */
  wait(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A pull-based view of one channel (GraphQL subscriptions): notifications that arrive while the
 * consumer is busy coalesce into one wake-up, so a slow client never queues a backlog; it re-reads
 * the current state instead. LISTEN is in effect when this resolves, so nothing committed after
 * it is missed.
 */
export async function pgWakeups(
  pubsub: PgPubSub,
  channel: string,
  accept: (payload: string | null) => boolean,
): Promise<PgWakeups> {
  let pending = false;
  let closed = false;
  let wake: (() => void) | null = null;
  const unsubscribe = await pubsub.subscribe(channel, (payload) => {
    if (closed || !accept(payload)) return;
    pending = true;
    wake?.();
  });
  return {
    async wait() {
      while (!pending && !closed) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (closed) return false;
      pending = false;
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      wake?.();
      await unsubscribe();
    },
  };
}
