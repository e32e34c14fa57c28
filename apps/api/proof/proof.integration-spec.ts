import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { startLabTsa, type LabTsa } from '../../../lab/tsa/tsa-server';
import { timestampScanWorkflowId } from '../../../libs/contracts';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const run = promisify(execFile);

const REQUEST = `mutation($o: ID!, $d: String!) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: ["dns-inventory"]) { id }
}`;
const RESULTS = `query($id: ID!) { scan(id: $id) { status results { id scanner } } }`;
const VERIFY = `query($id: ID!) {
  verifyResult(id: $id) {
    resultId kind state digest failures { code message } genTime tsa signer serialNumber policy
    tokenBase64 canonicalDocument
  }
}`;

interface Proof {
  resultId: string;
  kind: string;
  state: string;
  digest: string;
  failures: Array<{ code: string; message: string }>;
  genTime: string | null;
  tsa: string | null;
  signer: string | null;
  tokenBase64: string | null;
  canonicalDocument: string;
}

describe('proof of scan: every stored result is time-stamped by a real local TSA', () => {
  let lab: Lab;
  let tsa: LabTsa;
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    lab = await startLab();
    tsa = await startLabTsa();
    dir = await mkdtemp(path.join(tmpdir(), 'perimeter-proof-'));
    stack = await startTestStack({
      env: {
        SCANNER_RESOLVERS: lab.resolvers.join(','),
        PROOF_TSAS: JSON.stringify([{ name: 'lab', url: tsa.url, caFiles: [tsa.rootFile] }]),
        PROOF_TSA_TIMEOUT_MS: '2000',
      },
    });
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await tsa?.close();
    await lab?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let lastScanId = '';
  async function scanResultId(): Promise<string> {
    const requested = await stack.graphql<{ requestDomainScan: { id: string } }>(REQUEST, {
      o: stack.organisationId,
      d: 'good.perimeter.test',
    });
    expect(requested.errors).toBeUndefined();
    const scanId = requested.data!.requestDomainScan.id;
    lastScanId = scanId;
    await waitForScan(stack, scanId);
    const { data } = await stack.graphql<{
      scan: { status: string; results: Array<{ id: string }> };
    }>(RESULTS, { id: scanId });
    expect(data!.scan.status).toBe('COMPLETED');
    return data!.scan.results[0]!.id;
  }

  const verify = async (id: string) => {
    const res = await stack.graphql<{ verifyResult: Proof }>(VERIFY, { id });
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.verifyResult;
  };

  async function waitForState(id: string, state: string, timeoutMs = 60_000): Promise<Proof> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const proof = await verify(id);
      if (proof.state === state) return proof;
      if (Date.now() > deadline) throw new Error(`result ${id} still ${proof.state}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it("time-stamps a finished scan's result; `openssl ts -verify` accepts the exported token", async () => {
    const id = await scanResultId();
    const proof = await waitForState(id, 'VERIFIED');
    expect(proof).toMatchObject({ resultId: id, kind: 'SCAN_RESULT', tsa: 'lab', failures: [] });
    // RECORD_HISTORY=domain-scan-v3-timestamp: the scan (patched) and its time-stamping workflow.
    await recordHistoryIfAsked(stack, `domain-scan:${lastScanId}`);
    await recordHistoryIfAsked(stack, timestampScanWorkflowId(lastScanId), '-child');
    expect(proof.signer).toContain('CN=Perimeter Lab TSA');
    expect(Math.abs(new Date(proof.genTime!).getTime() - Date.now())).toBeLessThan(120_000);
    expect(JSON.parse(proof.canonicalDocument)).toMatchObject({
      type: 'perimeter.scan-result',
      id,
      scanner: 'dns',
      target: 'good.perimeter.test',
    });

    const token = path.join(dir, `${id}.tsr`);
    const data = path.join(dir, `${id}.json`);
    await writeFile(token, Buffer.from(proof.tokenBase64!, 'base64'));
    await writeFile(data, proof.canonicalDocument);
    const byData = await run('openssl', [
      'ts',
      '-verify',
      '-in',
      token,
      '-token_in',
      '-data',
      data,
      '-CAfile',
      tsa.rootFile,
    ]);
    expect(byData.stdout).toContain('Verification: OK');
    const byDigest = await run('openssl', [
      'ts',
      '-verify',
      '-in',
      token,
      '-token_in',
      '-digest',
      proof.digest,
      '-CAfile',
      tsa.rootFile,
    ]);
    expect(byDigest.stdout).toContain('Verification: OK');
  });

  it('detects a result altered after it was time-stamped', async () => {
    const id = await scanResultId();
    await waitForState(id, 'VERIFIED');
    await stack.db.dataSource.query(
      `UPDATE scan_result SET data = jsonb_set(data, '{exists}', 'false') WHERE id = $1`,
      [id],
    );
    const proof = await verify(id);
    expect(proof.state).toBe('FAILED');
    expect(proof.failures.map((f) => f.code)).toEqual(['ALTERED_RESULT']);
    expect(proof.failures[0]!.message).toContain(proof.digest);
  });

  it('completes the scan while the TSA is down; time-stamps once it is back', async () => {
    const port = tsa.port;
    await tsa.close();
    const id = await scanResultId(); // the scan is COMPLETED, not failed, with the TSA down
    const shown = await stack.graphql<{ scan: { results: Array<{ timestamp: unknown }> } }>(
      `query($id: ID!) { scan(id: $id) { results { timestamp { state genTime tsa } } } }`,
      { id: lastScanId },
    );
    expect(shown.data!.scan.results[0]!.timestamp).toEqual({
      state: 'NOT_YET_TIMESTAMPED',
      genTime: null,
      tsa: null,
    });
    const pending = await verify(id);
    expect(pending).toMatchObject({
      state: 'NOT_YET_TIMESTAMPED',
      tokenBase64: null,
      failures: [],
    });
    await new Promise((r) => setTimeout(r, 2000)); // a few refused attempts
    expect((await verify(id)).state).toBe('NOT_YET_TIMESTAMPED');

    tsa = await startLabTsa({ port, pki: tsa.pki });
    const proof = await waitForState(id, 'VERIFIED', 90_000);
    expect(proof.tsa).toBe('lab');
    const stamped = await stack.graphql<{
      scan: { results: Array<{ timestamp: { state: string; genTime: string; tsa: string } }> };
    }>(`query($id: ID!) { scan(id: $id) { results { timestamp { state genTime tsa } } } }`, {
      id: lastScanId,
    });
    expect(stamped.data!.scan.results[0]!.timestamp).toEqual({
      state: 'TIMESTAMPED',
      genTime: proof.genTime,
      tsa: 'lab',
    });
  });

  it('answers NOT_FOUND for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await stack.graphql(VERIFY, { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});
