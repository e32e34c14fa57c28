/**
 * Relay connections (https://relay.dev/graphql/connections.htm) for every list of the API:
 * `first`/`after` forwards, `last`/`before` backwards, opaque cursors, `totalCount`, bounded page
 * sizes. Pages come from keyset queries (libs/db/keyset-page.ts), never OFFSET.
 */
import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { DataSource, EntityManager } from 'typeorm';
import {
  InvalidPageRequestError,
  keysetPage,
  type KeysetQuery,
  type PageRequest,
} from '../../../libs/db/keyset-page';
import { graphQLError } from './graphql-errors';

/** The most rows one page may ask for, unless a list says otherwise. */
export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class ConnectionArgs implements PageRequest {
  @Field(() => Int, {
    nullable: true,
    description: `Rows after \`after\` (at most ${MAX_PAGE_SIZE}).`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor from a previous page.' })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `Rows before \`before\` (at most ${MAX_PAGE_SIZE}).`,
  })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor from a previous page.' })
  before?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<N> {
  cursor: string;
  node: N;
}

export interface Connection<N> {
  edges: Edge<N>[];
  nodes: N[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * The GraphQL types `<Name>Edge` and `<Name>Connection` for a node type; declare once per node:
 * `@ObjectType() export class ScanConnection extends connectionType(ScanModel, 'Scan') {}`.
 */
export function connectionType<N>(node: Type<N>, name: string): Type<Connection<N>> {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<N> {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: N;
  }

  @ObjectType({ isAbstract: true })
  class ConnectionType implements Connection<N> {
    @Field(() => [EdgeType])
    edges!: Edge<N>[];

    @Field(() => [node], { description: 'The edges’ nodes, for clients that need no cursors.' })
    nodes!: N[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows matching the filters, on every page.' })
    totalCount!: number;
  }
  return ConnectionType;
}

/**
 * One page of a keyset query as a Relay connection. Bad paging arguments or a foreign cursor are
 * `BAD_USER_INPUT`.
 */
export async function relayConnection<Row extends Record<string, unknown>, N>(
  db: DataSource | EntityManager,
  query: KeysetQuery,
  args: PageRequest,
  toNode: (row: Row) => N,
  maxPageSize = MAX_PAGE_SIZE,
): Promise<Connection<N>> {
  let page;
  try {
    page = await keysetPage<Row>(db, query, args, maxPageSize);
  } catch (err) {
    if (err instanceof InvalidPageRequestError) throw graphQLError('BAD_USER_INPUT', err.message);
    throw err;
  }
  const edges = page.rows.map((row, i) => ({ cursor: page.cursors[i]!, node: toNode(row) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
