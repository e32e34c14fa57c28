import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLab, type Lab } from '../../../lab/lab';
import { createDomainScan, createOrganisation } from '../../../libs/db';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

describe('scanUpdated subscription (graphql-ws)', () => {
  let lab: Lab;
  let stack: TestStack;
  const clients: Client[] = [];

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ env: { SCANNER_RESOLVERS: lab.resolvers.join(',') } });
    await stack.startWorker();
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.stop();
    await lab?.close();
  });

  function connect(authorization?: string) {
    const closed: { code?: number } = {};
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 0,
      on: { closed: (event) => (closed.code = (event as { code: number }).code) },
    });
    clients.push(client);
    return { client, closed };
  }

  function collect(client: Client, query: string, variables: Record<string, unknown>) {
    return new Promise<{ values: any[]; error?: unknown }>((resolve) => {
      const values: any[] = [];
      client.subscribe(
        { query, variables },
        {
          next: (v) => values.push(v),
          error: (error) => resolve({ values, error }),
          complete: () => resolve({ values }),
        },
      );
    });
  }

  const SUBSCRIPTION = `subscription($id: ID!) { scanUpdated(id: $id) { status results { scanner status } } }`;

  it('follows a scan from request to completion', async () => {
    const requested = await stack.graphql<{ requestDomainScan: { id: string } }>(
      `mutation($o: ID!) { requestDomainScan(organisationId: $o, domain: "good.perimeter.test", scanners: ["dns-inventory"]) { id } }`,
      { o: stack.organisationId },
    );
    const { client } = connect(`Bearer ${stack.token}`);
    const { values, error } = await collect(client, SUBSCRIPTION, {
      id: requested.data!.requestDomainScan.id,
    });
    expect(error).toBeUndefined();
    const statuses = values.map((v) => v.data.scanUpdated.status);
    expect(statuses.at(-1)).toBe('COMPLETED');
    expect(new Set(statuses).size).toBe(statuses.length); // one event per change
    expect(values.at(-1).data.scanUpdated.results).toEqual([
      { scanner: 'dns', status: 'COMPLETED' },
    ]);
  });

  it('refuses a connection without valid credentials', async () => {
    for (const authorization of [undefined, 'Bearer pmk_not-a-key']) {
      const { client, closed } = connect(authorization);
      const { error } = await collect(client, SUBSCRIPTION, {
        id: '00000000-0000-4000-8000-000000000000',
      });
      expect(error).toBeDefined();
      expect(closed.code).toBe(4403);
    }
  });

  it("does not reveal another organisation's scan", async () => {
    const other = await createOrganisation(stack.db.dataSource, {
      slug: 'elsewhere',
      name: 'Elsewhere',
    });
    const { scan } = await createDomainScan(stack.db.dataSource, {
      organisationId: other.id,
      domain: { ascii: 'secret.example.test', unicode: 'secret.example.test' },
      requestedBy: null,
    });
    const { client } = connect(`Bearer ${stack.token}`);
    const { values, error } = await collect(client, SUBSCRIPTION, { id: scan.id });
    const errors =
      (error as Array<{ extensions?: { code?: string } }> | undefined) ?? values[0]?.errors;
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(values.every((v) => !v.data?.scanUpdated)).toBe(true);
  });
});
