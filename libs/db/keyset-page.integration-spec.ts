import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import {
  InvalidPageRequestError,
  encodeCursor,
  keysetPage,
  type KeysetQuery,
  type PageRequest,
} from './keyset-page';

type Row = { id: number; at: Date; name: string };

describe('keysetPage (real PostgreSQL)', () => {
  let db: TestDatabase;
  // 25 rows; `at` has ties (five rows per minute) so the id must break them.
  const all: Row[] = Array.from({ length: 25 }, (_, i) => ({
    id: i + 1,
    at: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 5))),
    name: `item-${String(i + 1).padStart(2, '0')}`,
  }));
  // Newest first, then id ascending: a mixed-direction order.
  const expected = [...all].sort((a, b) => b.at.getTime() - a.at.getTime() || a.id - b.id);
  const query = (where: string[] = [], params: unknown[] = []): KeysetQuery => ({
    select: 'id, at, name',
    from: 'item',
    where,
    params,
    order: [
      { expr: 'at', alias: 'at', type: 'timestamptz', direction: 'DESC' },
      { expr: 'id', alias: 'id', type: 'int', direction: 'ASC' },
    ],
  });
  const ids = (rows: Row[]) => rows.map((r) => r.id);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    await db.dataSource.query('CREATE TABLE item (id int PRIMARY KEY, at timestamptz, name text)');
    for (const r of all) {
      await db.dataSource.query('INSERT INTO item VALUES ($1, $2, $3)', [r.id, r.at, r.name]);
    }
  });
  afterAll(() => db?.drop());

  it('walks forwards through every row once, in order, with ties broken by id', async () => {
    const seen: Row[] = [];
    let req: PageRequest = { first: 7 };
    for (;;) {
      const page = await keysetPage<Row>(db.dataSource, query(), req, 100);
      expect(page.totalCount).toBe(25);
      seen.push(...page.rows);
      expect(page.hasPreviousPage).toBe(req.after != null);
      if (!page.hasNextPage) break;
      req = { first: 7, after: page.cursors.at(-1) };
    }
    expect(ids(seen)).toEqual(ids(expected));
  });

  it('walks backwards from the end and meets the same rows', async () => {
    const seen: Row[] = [];
    let req: PageRequest = { last: 6 };
    for (;;) {
      const page = await keysetPage<Row>(db.dataSource, query(), req, 100);
      seen.unshift(...page.rows);
      if (!page.hasPreviousPage) break;
      expect(page.hasNextPage).toBe(req.before != null);
      req = { last: 6, before: page.cursors[0] };
    }
    expect(ids(seen)).toEqual(ids(expected));
  });

  it('goes back from a middle page to the page before it', async () => {
    const first = await keysetPage<Row>(db.dataSource, query(), { first: 5 }, 100);
    const second = await keysetPage<Row>(
      db.dataSource,
      query(),
      { first: 5, after: first.cursors.at(-1) },
      100,
    );
    const back = await keysetPage<Row>(
      db.dataSource,
      query(),
      { last: 5, before: second.cursors[0] },
      100,
    );
    expect(ids(back.rows)).toEqual(ids(first.rows));
    expect(back.hasPreviousPage).toBe(false);
    expect(back.hasNextPage).toBe(true);
  });

  it('filters, and counts only what matches', async () => {
    const page = await keysetPage<Row>(
      db.dataSource,
      query(['name LIKE $1'], ['item-1%']),
      { first: 3 },
      100,
    );
    expect(page.totalCount).toBe(10); // item-10 … item-19
    expect(page.rows.every((r) => r.name.startsWith('item-1'))).toBe(true);
    expect(page.hasNextPage).toBe(true);
  });

  it('refuses bad paging: both directions, oversize pages, foreign or forged cursors', async () => {
    const bad = (req: PageRequest) =>
      keysetPage(db.dataSource, query(), req, 10).then(
        () => 'accepted',
        (e: unknown) => (e instanceof InvalidPageRequestError ? e.message : `other: ${String(e)}`),
      );
    expect(await bad({ first: 1, last: 1 })).toMatch(/not both/);
    expect(await bad({ first: 11 })).toMatch(/from 0 to 10/);
    expect(await bad({ first: -1 })).toMatch(/from 0 to 10/);
    expect(await bad({ first: 2, after: 'not a cursor!' })).toMatch(/invalid cursor/);
    // A well-formed cursor of another list (one key instead of two).
    expect(await bad({ first: 2, after: encodeCursor(['x']) })).toMatch(/does not belong/);
    // Right shape, but a value that would be injected into SQL as a timestamp.
    expect(await bad({ first: 2, after: encodeCursor(["'; DROP TABLE item; --", 1]) })).toMatch(
      /does not belong/,
    );
    const [{ count }] = (await db.dataSource.query('SELECT count(*)::int AS count FROM item')) as [
      { count: number },
    ];
    expect(count).toBe(25);
  });
});
