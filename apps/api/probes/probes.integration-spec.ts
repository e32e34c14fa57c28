import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabTsa, type LabTsa } from '../../../lab/tsa/tsa-server';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const REGISTER = `mutation($o: ID!, $n: String!, $t: String) {
  registerProbe(organisationId: $o, name: $n, tool: $t) { id name tool online lastSeenAt }
}`;
const SUBMIT = `mutation($p: ID!, $r: JSON!) {
  submitProbeResult(probeId: $p, result: $r) { id probeName uuid type ts format version payload }
}`;
const PROBES = `query($o: ID!) { probes(organisationId: $o) { id name online } }`;
const RESULTS = `query($o: ID!) { probeResults(organisationId: $o) { id uuid } }`;
const VERIFY = `query($id: ID!) { verifyResult(id: $id) { kind state tsa canonicalDocument digest failures { code } } }`;

const standard = (payload: unknown = { open: [22, 443] }) => ({
  version: 1,
  format: 'nmap/json',
  meta: { uuid: randomUUID(), ts: new Date().toISOString(), type: 'port-scan' },
  payload,
});

describe('probes: registration, presence, standard results stored and time-stamped', () => {
  let tsa: LabTsa;
  let stack: TestStack;
  let probeId: string;

  beforeAll(async () => {
    tsa = await startLabTsa();
    stack = await startTestStack({
      env: { PROOF_TSAS: JSON.stringify([{ name: 'lab', url: tsa.url, caFiles: [tsa.rootFile] }]) },
    });
    await stack.startWorker();
    const res = await stack.graphql<{ registerProbe: { id: string } }>(REGISTER, {
      o: stack.organisationId,
      n: 'paris-1',
      t: 'nmap',
    });
    expect(res.errors).toBeUndefined();
    probeId = res.data!.registerProbe.id;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await tsa?.close();
  });

  const rowCount = async () =>
    Number(
      (
        (await stack.db.dataSource.query(`SELECT count(*) AS n FROM probe_result`)) as Array<{
          n: string;
        }>
      )[0]!.n,
    );

  it('registers a probe once per name and shows its presence', async () => {
    const again = await stack.graphql<{ registerProbe: { id: string; tool: string } }>(REGISTER, {
      o: stack.organisationId,
      n: 'paris-1',
    });
    expect(again.data!.registerProbe).toMatchObject({ id: probeId, tool: 'nmap' });
    const listed = await stack.graphql<{ probes: unknown[] }>(PROBES, { o: stack.organisationId });
    expect(listed.data!.probes).toEqual([{ id: probeId, name: 'paris-1', online: true }]);

    // Silent for longer than the presence window: offline, until its next heartbeat.
    await stack.db.dataSource.query(
      `UPDATE probe SET last_seen_at = now() - interval '1 hour' WHERE id = $1`,
      [probeId],
    );
    const offline = await stack.graphql<{ probes: Array<{ online: boolean }> }>(PROBES, {
      o: stack.organisationId,
    });
    expect(offline.data!.probes[0]!.online).toBe(false);
    const beat = await stack.graphql<{ probeHeartbeat: { online: boolean } }>(
      `mutation($id: ID!) { probeHeartbeat(id: $id) { online } }`,
      { id: probeId },
    );
    expect(beat.data!.probeHeartbeat.online).toBe(true);

    const bad = await stack.graphql(REGISTER, { o: stack.organisationId, n: '../etc' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('stores a standard result and time-stamps it; its canonical form is the RFC 8785 JSON of what was sent', async () => {
    const result = standard();
    const res = await stack.graphql<{ submitProbeResult: Record<string, unknown> }>(SUBMIT, {
      p: probeId,
      r: result,
    });
    expect(res.errors).toBeUndefined();
    const stored = res.data!.submitProbeResult;
    expect(stored).toMatchObject({
      probeName: 'paris-1',
      uuid: result.meta.uuid,
      type: 'port-scan',
      format: 'nmap/json',
      version: 1,
      payload: result.payload,
    });

    const deadline = Date.now() + 30_000;
    let proof: { state: string; kind: string; tsa: string; canonicalDocument: string };
    for (;;) {
      const v = await stack.graphql<{ verifyResult: typeof proof }>(VERIFY, { id: stored.id });
      proof = v.data!.verifyResult;
      if (proof.state === 'VERIFIED' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(proof).toMatchObject({ state: 'VERIFIED', kind: 'PROBE_RESULT', tsa: 'lab' });
    expect(proof.canonicalDocument).toBe(canonicalize(result));

    const listed = await stack.graphql<{ probeResults: Array<{ id: string }> }>(RESULTS, {
      o: stack.organisationId,
    });
    expect(listed.data!.probeResults.map((r) => r.id)).toContain(stored.id);
    const one = await stack.graphql<{ probeResult: { timestamp: { state: string } } }>(
      `query($id: ID!) { probeResult(id: $id) { timestamp { state tsa } } }`,
      { id: stored.id },
    );
    expect(one.data!.probeResult.timestamp).toEqual({ state: 'TIMESTAMPED', tsa: 'lab' });
  });

  it('stores a result posted twice once, and refuses another result under the same uuid', async () => {
    const result = standard();
    const first = await stack.graphql<{ submitProbeResult: { id: string } }>(SUBMIT, {
      p: probeId,
      r: result,
    });
    const again = await stack.graphql<{ submitProbeResult: { id: string } }>(SUBMIT, {
      p: probeId,
      r: { payload: result.payload, meta: result.meta, format: result.format, version: 1 },
    });
    expect(again.data!.submitProbeResult.id).toBe(first.data!.submitProbeResult.id);
    const before = await rowCount();
    const other = await stack.graphql(SUBMIT, { p: probeId, r: { ...result, payload: { x: 1 } } });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await rowCount()).toBe(before);
  });

  it('rejects malformed results with every problem named, and stores nothing', async () => {
    const before = await rowCount();
    const cases: Array<[unknown, string[]]> = [
      [{ ...standard(), meta: { uuid: 'nope', type: 'x' } }, ['meta.uuid', 'meta.ts']],
      [{ version: 1, format: 'x', payload: {} }, ['meta']],
      [{ ...standard(), payload: 'just text' }, ['payload']],
      [{ ...standard(), extra: 1 }, ['']],
      ['a string', ['']],
      [{ ...standard(), meta: { ...standard().meta, ts: '2999-01-01T00:00:00Z' } }, ['meta.ts']],
    ];
    for (const [input, paths] of cases) {
      const res = await stack.graphql(SUBMIT, { p: probeId, r: input });
      const error = res.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(error?.message).toMatch(/^not a standard result: /);
      const issues = error?.extensions?.issues as Array<{ path: string }>;
      expect(issues.map((i) => i.path)).toEqual(paths);
    }
    const huge = await stack.graphql(SUBMIT, {
      p: probeId,
      r: standard({ blob: 'x'.repeat(600 * 1024) }),
    });
    expect(huge.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await rowCount()).toBe(before);
  });

  it('takes the same results over plain HTTP: POST /probes/{id}/results', async () => {
    const url = stack.graphqlUrl.replace(/\/graphql$/, `/probes/${probeId}/results`);
    const post = (body: string, token: string | null = stack.token) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
    const result = standard({ status: 'up' });
    const first = await post(JSON.stringify(result));
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { id: string; uuid: string };
    expect(stored.uuid).toBe(result.meta.uuid);
    expect((await post(JSON.stringify(result))).status).toBe(200);

    const before = await rowCount();
    const bad = await post(JSON.stringify({ ...result, meta: { ...result.meta, uuid: 'x' } }));
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(body.error.code).toBe('BAD_USER_INPUT');
    expect(body.error.issues.map((i) => i.path)).toEqual(['meta.uuid']);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify(standard()), null)).status).toBe(401);
    expect(await rowCount()).toBe(before);
  });

  it('answers NOT_FOUND for a probe that is not there', async () => {
    const res = await stack.graphql(SUBMIT, { p: randomUUID(), r: standard() });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
