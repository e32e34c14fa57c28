import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

describe('query depth and complexity limits', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      env: { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '300' },
    });
  }, 180_000);
  afterAll(() => stack?.stop(), 60_000);

  async function post(query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
      body: JSON.stringify({ query, variables: { o: stack.organisationId, ...variables } }),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: unknown;
        errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
      },
    };
  }

  const DEEP = `query($o: ID!) { scans(organisationId: $o, first: 1) { edges { node { results { findings { id } } } } } }`;

  it('refuses an operation nested deeper than the limit before running it', async () => {
    const { status, body } = await post(DEEP);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', maxDepth: 3 });
    expect(body.errors![0]!.message).toMatch(/depth limit of 3 exceeded, found 6/);
  });

  it('counts fragments: hiding depth in them does not help', async () => {
    const { body } = await post(`
      query($o: ID!) { scans(organisationId: $o, first: 1) { ...E } }
      fragment E on ScanConnection { edges { node { ...R } } }
      fragment R on Scan { results { findings { id } } }`);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('answers an operation within both limits', async () => {
    const { status, body } = await post(
      `query($o: ID!) { scans(organisationId: $o, first: 1) { totalCount edges { cursor } } }`,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ scans: { totalCount: 0, edges: [] } });
  });

  it('refuses an operation costlier than the limit: page size multiplies what each row asks', async () => {
    const q = `query($o: ID!, $n: Int) { domains(organisationId: $o, first: $n) { edges { cursor } nodes { id name unicodeName labels dkimSelectors createdAt } } }`;
    const big = await post(q, { n: 100 });
    expect(big.status).toBe(400);
    expect(big.body.errors![0]!.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      maxComplexity: 300,
    });
    expect(big.body.errors![0]!.extensions.complexity).toBeGreaterThan(300);
    // The same selection on a small page is fine.
    const small = await post(q, { n: 10 });
    expect(small.body.errors).toBeUndefined();
    // Aliases do not multiply past the limit unnoticed.
    const aliased = await post(
      `query($o: ID!) { ${Array.from({ length: 80 }, (_, i) => `a${i}: domains(organisationId: $o, first: 1) { totalCount nodes { id name } }`).join(' ')} }`,
    );
    expect(aliased.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('limits the depth of subscriptions over graphql-ws too', async () => {
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.token}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve) =>
        client.subscribe(
          {
            query: `subscription { scanProgress(scanId: "00000000-0000-4000-8000-000000000000") { results { findings { id } } } }`,
          },
          { next: () => resolve('answered'), error: resolve, complete: () => resolve('completed') },
        ),
      );
      expect((errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
        'QUERY_TOO_DEEP',
      );
    } finally {
      await client.dispose();
    }
  });

  it('leaves introspection to the tools that need it', async () => {
    const { status, body } = await post(getIntrospectionQuery());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});
