import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createOrganisation } from './access.repository';
import { PgPubSub, pgNotify, pgWakeups } from './pg-pubsub';
import { createDomainScan, markScannerRunning, SCAN_PROGRESS_CHANNEL } from './scans.repository';

/** Resolves with the next payloads `count` arrive on `channel`, or rejects after `ms`. */
function collect(pubsub: PgPubSub, channel: string, count: number, ms = 5000) {
  const got: Array<string | null> = [];
  let unsubscribe: () => Promise<void> = async () => undefined;
  const done = new Promise<Array<string | null>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${JSON.stringify(got)}`)), ms);
    void pubsub
      .subscribe(channel, (p) => {
        got.push(p);
        if (got.length === count) {
          clearTimeout(timer);
          resolve(got);
        }
      })
      .then((u) => (unsubscribe = u));
  });
  return { got, done: done.finally(() => unsubscribe()) };
}

describe('PgPubSub (LISTEN/NOTIFY on a real PostgreSQL)', () => {
  let db: TestDatabase;
  const open: PgPubSub[] = [];
  const pubsub = (name = 'perimeter-listen') => {
    const p = new PgPubSub(db.url, { applicationName: name, reconnectDelayMs: 50 });
    open.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  }, 60_000);
  afterAll(async () => {
    for (const p of open) await p.close();
    await db?.drop();
  });

  it('delivers a notification on commit to every process listening, and nothing on rollback', async () => {
    const a = pubsub();
    const b = pubsub();
    const onA = collect(a, 'test_channel', 1);
    const onB = collect(b, 'test_channel', 1);
    await new Promise((r) => setTimeout(r, 200)); // both LISTENs in effect
    await db.dataSource
      .transaction(async (m) => {
        await pgNotify(m, 'test_channel', 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.dataSource.transaction((m) => pgNotify(m, 'test_channel', 'committed'));
    expect(await onA.done).toEqual(['committed']);
    expect(await onB.done).toEqual(['committed']);
  });

  it('announces scan progress writes through the trigger, with the scan id', async () => {
    const org = await createOrganisation(db.dataSource, { slug: 'pubsub', name: 'P' });
    const { scan } = await createDomainScan(db.dataSource, {
      organisationId: org.id,
      domain: { ascii: 'n.example.com', unicode: 'n.example.com' },
      requestedBy: null,
      scanners: ['dns'],
    });
    const heard = collect(pubsub(), SCAN_PROGRESS_CHANNEL, 2);
    await new Promise((r) => setTimeout(r, 200));
    await markScannerRunning(db.dataSource, scan.id, 'dns', 1);
    await db.dataSource.query(`UPDATE scan SET status = 'running' WHERE id = $1`, [scan.id]);
    expect((await heard.done).map((p) => JSON.parse(p!))).toEqual([
      { scanId: scan.id },
      { scanId: scan.id },
    ]);
  });

  it('reconnects after losing its connection, tells listeners to re-read, and hears later notifications', async () => {
    const name = `listen-${randomUUID().slice(0, 8)}`;
    const p = pubsub(name);
    const heard = collect(p, 'test_reconnect', 2, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await db.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [name],
    );
    // Wait for the re-read signal (null), then notify: it must still arrive.
    const deadline = Date.now() + 5000;
    while (!heard.got.includes(null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await pgNotify(db.dataSource, 'test_reconnect', 'after');
    expect(await heard.done).toEqual([null, 'after']);
  });

  it('coalesces wake-ups while the consumer is busy, and closing ends a pending wait', async () => {
    const w = await pgWakeups(pubsub(), 'test_wakeups', (payload) => payload !== 'ignored');
    for (const payload of ['1', 'ignored', '2', '3'])
      await pgNotify(db.dataSource, 'test_wakeups', payload);
    await new Promise((r) => setTimeout(r, 300)); // all delivered while nobody waited
    expect(await w.wait()).toBe(true); // three notifications, one wake-up
    const pending = w.wait();
    await pgNotify(db.dataSource, 'test_wakeups', 'ignored');
    await new Promise((r) => setTimeout(r, 300));
    await w.close();
    expect(await pending).toBe(false);
  });

  it('refuses channel names that are not plain identifiers', async () => {
    await expect(pubsub().subscribe('x; DROP TABLE scan', () => undefined)).rejects.toThrow(
      /not a channel name/,
    );
  });
});
