import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLab, type Lab } from '../../../lab/lab';
import { startLabTsa, type LabTsa } from '../../../lab/tsa/tsa-server';
import { createOrganisationWithKey } from '../../../test/support/test-principals';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const SUBSCRIPTION = `subscription($o: ID!) {
  resultPublished(organisationId: $o) {
    type resultId resultKind
    probeResult { id uuid payload }
    proof { state tsa tokenBase64 }
  }
}`;

interface Event {
  type: string;
  resultId: string;
  resultKind: string;
  probeResult: { id: string; uuid: string; payload: unknown } | null;
  proof: { state: string; tsa: string; tokenBase64: string } | null;
}

describe('resultPublished: subscribers receive new results and their tokens (LISTEN/NOTIFY)', () => {
  let lab: Lab;
  let tsa: LabTsa;
  let stack: TestStack;
  const clients: Client[] = [];

  beforeAll(async () => {
    lab = await startLab();
    tsa = await startLabTsa();
    stack = await startTestStack({
      env: {
        SCANNER_RESOLVERS: lab.resolvers.join(','),
        PROOF_TSAS: JSON.stringify([{ name: 'lab', url: tsa.url, caFiles: [tsa.rootFile] }]),
      },
    });
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.stop();
    await tsa?.close();
    await lab?.close();
  });

  /** Subscribes and collects events until `done` says enough. */
  function subscribe(token: string, organisationId: string) {
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const events: Event[] = [];
    const errors: unknown[] = [];
    client.subscribe<{ resultPublished: Event }>(
      { query: SUBSCRIPTION, variables: { o: organisationId } },
      {
        next: (v) => (v.data ? events.push(v.data.resultPublished) : errors.push(v.errors)),
        error: (e) => errors.push(e),
        complete: () => undefined,
      },
    );
    return { events, errors };
  }

  async function until(check: () => boolean, what: string, timeoutMs = 60_000) {
    for (const deadline = Date.now() + timeoutMs; !check();) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('publishes a probe result at once, then its token; scan results get their tokens too', async () => {
    const mine = subscribe(stack.token, stack.organisationId);
    const outsider = await createOrganisationWithKey(stack.db.dataSource);
    const theirs = subscribe(outsider.token, outsider.organisationId);
    await new Promise((r) => setTimeout(r, 500)); // the subscriptions are in place

    const probe = await stack.graphql<{ registerProbe: { id: string } }>(
      `mutation($o: ID!) { registerProbe(organisationId: $o, name: "live") { id } }`,
      { o: stack.organisationId },
    );
    const uuid = randomUUID();
    const submitted = await stack.graphql<{ submitProbeResult: { id: string } }>(
      `mutation($p: ID!, $r: JSON!) { submitProbeResult(probeId: $p, result: $r) { id } }`,
      {
        p: probe.data!.registerProbe.id,
        r: {
          version: 1,
          format: 'lines',
          meta: { uuid, ts: new Date().toISOString(), type: 'subdomains' },
          payload: ['a.example.test'],
        },
      },
    );
    const probeResultId = submitted.data!.submitProbeResult.id;
    const scan = await stack.graphql<{ requestDomainScan: { id: string } }>(
      `mutation($o: ID!) { requestDomainScan(organisationId: $o, domain: "good.perimeter.test", scanners: ["dns-inventory"]) { id } }`,
      { o: stack.organisationId },
    );
    expect(scan.errors).toBeUndefined();

    const of = (type: string, kind: string) =>
      mine.events.find((e) => e.type === type && e.resultKind === kind);
    await until(
      () =>
        Boolean(
          of('RESULT_TIMESTAMPED', 'PROBE_RESULT') && of('RESULT_TIMESTAMPED', 'SCAN_RESULT'),
        ),
      'both tokens',
    );
    expect(mine.errors).toEqual([]);
    const received = of('PROBE_RESULT_RECEIVED', 'PROBE_RESULT')!;
    expect(received).toMatchObject({
      resultId: probeResultId,
      probeResult: { id: probeResultId, uuid, payload: ['a.example.test'] },
      proof: null,
    });
    expect(mine.events.indexOf(received)).toBeLessThan(
      mine.events.indexOf(of('RESULT_TIMESTAMPED', 'PROBE_RESULT')!),
    );
    for (const kind of ['PROBE_RESULT', 'SCAN_RESULT']) {
      const stamped = of('RESULT_TIMESTAMPED', kind)!;
      expect(stamped.proof).toMatchObject({ state: 'VERIFIED', tsa: 'lab' });
      expect(Buffer.from(stamped.proof!.tokenBase64, 'base64')[0]).toBe(0x30); // a DER SEQUENCE
    }
    // Another organisation's subscriber heard nothing of it.
    expect(theirs.events).toEqual([]);
    expect(theirs.errors).toEqual([]);
  });
});
