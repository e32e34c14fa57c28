/**
 * Keyset pagination over raw SQL: pages are found by comparing the sort key with the cursor's key
 * (never OFFSET), so a page costs the same on page 1 and page 10,000 and rows inserted meanwhile
 * do not shift the pages. The cursor is opaque to clients: a versioned, base64url-encoded JSON of
 * the last row's sort key.
 */
import type { DataSource, EntityManager } from 'typeorm';

export type KeyType = 'timestamptz' | 'text' | 'uuid' | 'int' | 'bigint' | 'numeric';

export interface SortKey {
  /**
   * SQL expression in the query's FROM scope; must never be NULL (use COALESCE). Qualify a column
   * the SELECT list renames (`t.id`, not `id`): in ORDER BY a bare name means the output column.
   */
  expr: string;
  /** Column alias the page query selects this key as (read back to build cursors). */
  alias: string;
  type: KeyType;
  direction: 'ASC' | 'DESC';
}

export interface KeysetQuery {
  /** The SELECT list (without SELECT); must include every sort key's alias. */
  select: string;
  /** FROM and JOINs (without FROM). */
  from: string;
  /** Conditions ANDed together; parameters as $1…$n, in `params`. */
  where: string[];
  params: unknown[];
  /**
   * The order; the last key must make it total (e.g. the primary key), or rows with equal keys
   * could be skipped or repeated between pages.
   */
  order: SortKey[];
}

export interface PageRequest {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<Row> {
  rows: Row[];
  cursors: string[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export class InvalidPageRequestError extends Error {
  override readonly name = 'InvalidPageRequestError';
}

const CURSOR_VERSION = 'k1';

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, ...values])).toString('base64url');
}

/** The key values in a cursor, checked against the sort keys' count and types. */
export function decodeCursor(cursor: string, order: SortKey[]): unknown[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageRequestError('invalid cursor: not one this API returned');
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== CURSOR_VERSION ||
    parsed.length !== order.length + 1 ||
    !order.every((k, i) => validKeyValue(k.type, parsed[i + 1]))
  ) {
    throw new InvalidPageRequestError(
      'invalid cursor: it does not belong to this list or ordering',
    );
  }
  return parsed.slice(1);
}

function validKeyValue(type: KeyType, v: unknown): boolean {
  switch (type) {
    case 'timestamptz':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
    case 'int':
      return Number.isSafeInteger(v);
    case 'bigint':
    case 'numeric':
      return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
    case 'uuid':
      return typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v);
    case 'text':
      return typeof v === 'string';
  }
}

function keyValue(type: KeyType, v: unknown): unknown {
  if (type === 'timestamptz') return v instanceof Date ? v.toISOString() : String(v);
  if (type === 'int') return Number(v);
  return String(v);
}

/**
 * `(k1, k2, …) after (v1, v2, …)` in the given directions, as an OR of prefixes:
 * k1 > v1 OR (k1 = v1 AND k2 > v2) OR … — correct for mixed ASC/DESC orders.
 */
function afterCondition(order: SortKey[], values: unknown[], params: unknown[]): string {
  const placeholders = values.map((v, i) => {
    params.push(v);
    return `$${params.length}::${order[i]!.type}`;
  });
  const alternatives = order.map((key, i) => {
    const equal = order.slice(0, i).map((k, j) => `${k.expr} = ${placeholders[j]}`);
    const op = key.direction === 'ASC' ? '>' : '<';
    return [...equal, `${key.expr} ${op} ${placeholders[i]}`].join(' AND ');
  });
  return `(${alternatives.map((a) => `(${a})`).join(' OR ')})`;
}

const reverse = (order: SortKey[]): SortKey[] =>
  order.map((k) => ({ ...k, direction: k.direction === 'ASC' ? 'DESC' : 'ASC' }));

/** Checks first/last against the bound and each other; returns how many rows and which way. */
export function pageSize(
  req: PageRequest,
  maxPageSize: number,
  defaultPageSize = Math.min(20, maxPageSize),
): { size: number; backwards: boolean } {
  const { first, last } = req;
  if (first != null && last != null) {
    throw new InvalidPageRequestError('give `first` or `last`, not both');
  }
  for (const [name, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v != null && (!Number.isInteger(v) || v < 0 || v > maxPageSize)) {
      throw new InvalidPageRequestError(`\`${name}\` must be an integer from 0 to ${maxPageSize}`);
    }
  }
  if (req.after != null && last != null) {
    throw new InvalidPageRequestError('`after` goes with `first`; use `before` with `last`');
  }
  if (req.before != null && first != null) {
    throw new InvalidPageRequestError('`before` goes with `last`; use `after` with `first`');
  }
  const backwards = last != null || (req.before != null && first == null);
  return { size: (backwards ? last : first) ?? defaultPageSize, backwards };
}

const exactAlias = (i: number) => `__keyset_exact_${i}`;

/** One page of a keyset query, forwards (`first`/`after`) or backwards (`last`/`before`). */
export async function keysetPage<Row extends Record<string, unknown>>(
  db: DataSource | EntityManager,
  q: KeysetQuery,
  req: PageRequest,
  maxPageSize: number,
): Promise<Page<Row>> {
  const { size, backwards } = pageSize(req, maxPageSize);
  const cursor = backwards ? req.before : req.after;
  const params = [...q.params];
  const where = [...q.where];
  const order = backwards ? reverse(q.order) : q.order;
  if (cursor != null) where.push(afterCondition(order, decodeCursor(cursor, q.order), params));
  const whereSql = (w: string[]) =>
    w.length ? `WHERE ${w.map((c) => `(${c})`).join(' AND ')}` : '';
  params.push(size + 1);
  // Timestamps are read for cursors as text with all six fractional digits: a JS Date keeps only
  // milliseconds, and a cursor rounded down would repeat rows that share its millisecond.
  const exactKeys = q.order
    .map((k, i) =>
      k.type === 'timestamptz'
        ? `, to_char((${k.expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "${exactAlias(i)}"`
        : '',
    )
    .join('');
  const rows: Row[] = await db.query(
    `SELECT ${q.select}${exactKeys} FROM ${q.from} ${whereSql(where)}
      ORDER BY ${order.map((k) => `${k.expr} ${k.direction}`).join(', ')}
      LIMIT $${params.length}`,
    params,
  );
  const [{ count }] = (await db.query(
    `SELECT count(*)::int AS count FROM ${q.from} ${whereSql(q.where)}`,
    q.params,
  )) as [{ count: number }];
  const more = rows.length > size;
  const page = rows.slice(0, size);
  if (backwards) page.reverse();
  return {
    rows: page,
    cursors: page.map((r) =>
      encodeCursor(
        q.order.map((k, i) =>
          keyValue(k.type, k.type === 'timestamptz' ? r[exactAlias(i)] : r[k.alias]),
        ),
      ),
    ),
    totalCount: count,
    // The side we came from has rows when a cursor was given (the cursor's own row, at least).
    hasNextPage: backwards ? cursor != null : more,
    hasPreviousPage: backwards ? more : cursor != null,
  };
}
