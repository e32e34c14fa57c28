import type { INestApplication } from '@nestjs/common';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLab, type Lab } from '../../../lab/lab';
import { createLogger } from '../../../libs/telemetry';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';
import { createApiApp } from '../create-api-app';

/** Queries for this name are answered after 3 s; scanners give up after 1 s and retry. */
const SLOW = 'dkim-good.perimeter.test';

const REQUEST = `mutation($o: ID!, $d: String!, $s: [String!]) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: $s) { id }
}`;
const PROGRESS = `subscription($id: ID!) {
  scanProgress(scanId: $id) { id status progress { scanner state attempt startedAt finishedAt durationMs } }
}`;

interface ProgressEvent {
  id: string;
  status: string;
  progress: Array<{
    scanner: string;
    state: string;
    attempt: number | null;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
  }>;
}

describe('scan progress, cancel and rescan over GraphQL', () => {
  let lab: Lab;
  let stack: TestStack;
  /** A second API process on the same database: instance B. */
  let apiB: INestApplication;
  let urlB: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    lab = await startLab({
      dnsUdpDelayMs: (q) => (q.name.toLowerCase().endsWith(SLOW) ? 3000 : 0),
    });
    stack = await startTestStack({ lab });
    apiB = await createApiApp(stack.config, createLogger('perimeter-test-b', 'silent'));
    await apiB.listen(0, '127.0.0.1');
    urlB = `${(await apiB.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
    await stack.startWorker();
  }, 180_000);
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await apiB?.close();
    await stack?.stop();
    await lab?.close();
  }, 60_000);

  /** Collects every event of a `scanProgress` subscription until it completes. */
  function follow(url: string, scanId: string) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const events: ProgressEvent[] = [];
    const done = new Promise<ProgressEvent[]>((resolve, reject) => {
      client.subscribe<{ scanProgress: ProgressEvent }>(
        { query: PROGRESS, variables: { id: scanId } },
        {
          next: (v) =>
            v.errors
              ? reject(new Error(JSON.stringify(v.errors)))
              : events.push(v.data!.scanProgress),
          error: reject,
          complete: () => resolve(events),
        },
      );
    });
    return { events, done };
  }

  async function request(domain: string, scanners: string[]): Promise<string> {
    const res = await stack.graphql<{ requestDomainScan: { id: string } }>(REQUEST, {
      o: stack.organisationId,
      d: domain,
      s: scanners,
    });
    expect(res.errors).toBeUndefined();
    return res.data!.requestDomainScan.id;
  }

  async function eventually(what: string, check: () => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('pushes each change to subscribers on both API instances while a worker writes it', async () => {
    // Queued before any subscriber: the worker is running, so subscribe at once.
    const id = await request('good.perimeter.test', ['dns-inventory', 'spf', 'dmarc']);
    const onA = follow(stack.graphqlUrl, id);
    const onB = follow(urlB, id);
    const [a, b] = await Promise.all([onA.done, onB.done]);
    for (const events of [a, b]) {
      const last = events.at(-1)!;
      expect(last.status).toBe('COMPLETED');
      expect(last.progress.map((p) => [p.scanner, p.state])).toEqual([
        ['dns', 'DONE'],
        ['dmarc', 'DONE'],
        ['spf', 'DONE'],
      ]);
      for (const p of last.progress) {
        expect(p.attempt).toBe(1);
        expect(p.durationMs).toBe(
          new Date(p.finishedAt!).getTime() - new Date(p.startedAt!).getTime(),
        );
      }
      // More than first and last: scanner states arrived one change at a time.
      expect(events.length).toBeGreaterThanOrEqual(3);
      const keys = events.map((e) => JSON.stringify([e.status, e.progress.map((p) => p.state)]));
      expect(new Set(keys).size).toBe(keys.length); // no repeats
    }
    // Both instances saw the same final state, which scan(id) serves after the run too.
    expect(b.at(-1)).toEqual(a.at(-1));
    const stored = await stack.graphql<{ scan: ProgressEvent & { temporalUiUrl: string } }>(
      `query($id: ID!) { scan(id: $id) { id status temporalUiUrl progress { scanner state attempt startedAt finishedAt durationMs } } }`,
      { id },
    );
    expect(stored.data!.scan).toMatchObject(a.at(-1)!);
    expect(stored.data!.scan.temporalUiUrl).toBe(
      `http://127.0.0.1:8233/namespaces/${stack.config.temporal.namespace}/workflows/domain-scan%3A${id}`,
    );
  });

  it('cancels a long scan: the scanner stops and the scan ends CANCELLED', async () => {
    const id = await request(SLOW, ['dkim', 'mx']);
    const watch = follow(urlB, id);
    await eventually('dkim to be running', () =>
      watch.events.some((e) =>
        e.progress.some((p) => p.scanner === 'dkim' && p.state === 'RUNNING'),
      ),
    );
    const cancelledAt = Date.now();
    const res = await stack.graphql<{ cancelScan: { id: string; status: string } }>(
      `mutation($id: ID!) { cancelScan(id: $id) { id status } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    expect(['QUEUED', 'RUNNING', 'CANCELLED']).toContain(res.data!.cancelScan.status);
    const events = await watch.done;
    const last = events.at(-1)!;
    expect(last.status).toBe('CANCELLED');
    // Well before the scanners' own retries (3 attempts with back-off) could have ended it.
    expect(Date.now() - cancelledAt).toBeLessThan(5000);
    const states = Object.fromEntries(last.progress.map((p) => [p.scanner, p.state]));
    expect(states.dkim).toBe('CANCELLED');
    const results = await stack.graphql<{ scan: { results: Array<{ scanner: string }> } }>(
      `query($id: ID!) { scan(id: $id) { results { scanner } } }`,
      { id },
    );
    expect(results.data!.scan.results.map((r) => r.scanner)).not.toContain('dkim');

    // Cancelling again is a conflict, and changes nothing.
    const again = await stack.graphql(`mutation($id: ID!) { cancelScan(id: $id) { id } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('rescans: a new scan of the same target with the same scanners', async () => {
    const first = await request('good.perimeter.test', ['spf', 'mx']);
    await waitForScan(stack, first);
    const res = await stack.graphql<{ rescan: { id: string; target: string; status: string } }>(
      `mutation($id: ID!) { rescan(id: $id) { id target status } }`,
      { id: first },
    );
    expect(res.errors).toBeUndefined();
    const second = res.data!.rescan;
    expect(second.id).not.toBe(first);
    expect(second.target).toBe('good.perimeter.test');
    await waitForScan(stack, second.id);
    const scan = await stack.graphql<{
      scan: { status: string; progress: Array<{ scanner: string }> };
    }>(`query($id: ID!) { scan(id: $id) { status progress { scanner } } }`, { id: second.id });
    expect(scan.data!.scan.status).toBe('COMPLETED');
    expect(scan.data!.scan.progress.map((p) => p.scanner)).toEqual(['spf', 'mx']);
  });

  it("uses the DKIM selectors set on a domain in that domain's scans", async () => {
    const domain = 'dkim-custom.perimeter.test';
    const dkimData = async () => {
      const id = await request(domain, ['dkim']);
      await waitForScan(stack, id);
      const res = await stack.graphql<{ scan: { results: Array<{ data: unknown }> } }>(
        `query($id: ID!) { scan(id: $id) { results { data } } }`,
        { id },
      );
      return JSON.stringify(res.data!.scan.results[0]!.data);
    };
    expect(await dkimData()).not.toContain('perimeter2024');
    const added = await stack.graphql<{ addDomain: { id: string } }>(
      `mutation($o: ID!, $d: String!) { addDomain(organisationId: $o, domain: $d) { id } }`,
      { o: stack.organisationId, d: domain },
    );
    const set = await stack.graphql(
      `mutation($id: ID!) { setDkimSelectors(id: $id, selectors: ["perimeter2024"]) { dkimSelectors } }`,
      { id: added.data!.addDomain.id },
    );
    expect(set.data).toEqual({ setDkimSelectors: { dkimSelectors: ['perimeter2024'] } });
    expect(await dkimData()).toContain('perimeter2024._domainkey.dkim-custom.perimeter.test');
  });

  it('refuses unknown and malformed scan ids with NOT_FOUND', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      for (const op of ['cancelScan', 'rescan']) {
        const res = await stack.graphql(`mutation($id: ID!) { ${op}(id: $id) { id } }`, { id });
        expect(res.errors?.[0]?.extensions?.code, `${op} ${id}`).toBe('NOT_FOUND');
      }
    }
  });
});
