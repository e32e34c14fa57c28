import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabTsa, type LabTsa } from '../../../lab/tsa/tsa-server';
import { loadTsas, type LoadedTsa } from '../../../libs/proof';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';
import { probeCommand, type ProbeOptions } from './probe.command';
import { proofExport, proofStampPending, proofVerify } from './proof.command';
import { randomUUID } from 'node:crypto';
import { registerProbe, storeProbeResult } from '../../../libs/db';

const run = promisify(execFile);

// A stand-in scanning tool: prints JSON naming its target, like `nmap -oJ` would.
const TOOL = [
  process.execPath,
  '-e',
  'console.log(JSON.stringify({ host: process.argv[1], open: [22, 443] }))',
  '{target}',
];

describe('perimeter probe and perimeter proof, against a running API and a real local TSA', () => {
  let tsa: LabTsa;
  let tsas: LoadedTsa[];
  let stack: TestStack;
  let dir: string;
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);

  beforeAll(async () => {
    tsa = await startLabTsa();
    const proofConfig = {
      tsas: [{ name: 'lab', url: tsa.url, caFiles: [tsa.rootFile] }],
      timeoutMs: 2000,
    };
    tsas = await loadTsas(proofConfig);
    stack = await startTestStack({ env: { PROOF_TSAS: JSON.stringify(proofConfig.tsas) } });
    await stack.startWorker();
    dir = await mkdtemp(path.join(tmpdir(), 'perimeter-cli-proof-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await tsa?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const options = (o: Partial<ProbeOptions> = {}): ProbeOptions => ({
    apiUrl: stack.graphqlUrl,
    token: stack.token,
    organisationId: stack.organisationId,
    name: 'cli-probe',
    target: 'example.test',
    parser: 'json',
    command: TOOL,
    timeoutSeconds: 10,
    ...o,
  });

  const results = async () =>
    (
      await stack.graphql<{ probeResults: Array<{ id: string; format: string; payload: any }> }>(
        `query($o: ID!) { probeResults(organisationId: $o, limit: 100) { id format payload } }`,
        { o: stack.organisationId },
      )
    ).data!.probeResults;

  async function waitVerified(id: string) {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if ((await proofVerify(stack.db.dataSource, tsas, id, 'json', () => {})) === 0) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${id} not verified`);
  }

  it('runs the tool once on the target, normalises its output and posts a standard result', async () => {
    expect(await probeCommand(options(), out)).toBe(0);
    const [latest] = await results();
    expect(latest!.format).toBe('perimeter-probe/json');
    expect(latest!.payload).toMatchObject({
      target: 'example.test',
      exitCode: 0,
      output: { host: 'example.test', open: [22, 443] },
    });
    expect(lines.some((l) => l.startsWith(`posted ${latest!.id}`))).toBe(true);
  });

  it('runs every N seconds until stopped', async () => {
    const before = (await results()).length;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 2500);
    expect(
      await probeCommand(options({ everySeconds: 1, signal: stop.signal, parser: 'lines' }), out),
    ).toBe(0);
    expect((await results()).length - before).toBeGreaterThanOrEqual(2);
  });

  it('posts nothing when the output does not parse, and says why', async () => {
    const before = (await results()).length;
    lines.length = 0;
    const code = await probeCommand(
      options({ command: [process.execPath, '-e', 'console.log("not json")'] }),
      out,
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/not posted: output is not JSON/);
    expect((await results()).length).toBe(before);
    expect(await probeCommand(options({ parser: 'xml' }), out)).toBe(2);
  });

  it('proof stamp-pending time-stamps results stored without a token', async () => {
    // Stored directly, as before a TSA was configured: no workflow asked for a token.
    const probe = await registerProbe(stack.db.dataSource, {
      organisationId: stack.organisationId,
      name: 'offline',
      tool: null,
    });
    const uuid = randomUUID();
    const { row } = await storeProbeResult(stack.db.dataSource, {
      organisationId: stack.organisationId,
      probeId: probe.id,
      resultUuid: uuid,
      resultType: 'backfill',
      resultTs: new Date().toISOString(),
      document: { version: 1, format: 'x', meta: { uuid }, payload: {} },
    });
    expect(await proofVerify(stack.db.dataSource, tsas, row.id, 'json', () => {})).toBe(3);
    lines.length = 0;
    expect(await proofStampPending(stack.db.dataSource, tsas, 2000, out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^time-stamped [1-9]\d* result\(s\)$/);
    expect(await proofVerify(stack.db.dataSource, tsas, row.id, 'json', () => {})).toBe(0);
    expect(await proofStampPending(stack.db.dataSource, [], 2000, out)).toBe(2);
  });

  it('proof verify and export: openssl accepts the export; an altered result is reported', async () => {
    const [latest] = await results();
    await waitVerified(latest!.id);
    lines.length = 0;
    expect(await proofVerify(stack.db.dataSource, tsas, latest!.id, 'table', out)).toBe(0);
    expect(lines[0]).toBe(`VERIFIED  probe-result ${latest!.id}`);

    expect(await proofExport(stack.db.dataSource, latest!.id, dir, out)).toBe(0);
    const { stdout } = await run('openssl', [
      'ts',
      '-verify',
      '-in',
      path.join(dir, `${latest!.id}.tsr`),
      '-token_in',
      '-data',
      path.join(dir, `${latest!.id}.json`),
      '-CAfile',
      tsa.rootFile,
    ]);
    expect(stdout).toContain('Verification: OK');

    await stack.db.dataSource.query(
      `UPDATE probe_result SET document = jsonb_set(document, '{payload,exitCode}', '1') WHERE id = $1`,
      [latest!.id],
    );
    lines.length = 0;
    expect(await proofVerify(stack.db.dataSource, tsas, latest!.id, 'table', out)).toBe(1);
    expect(lines[0]).toMatch(/^FAILED/);
    expect(lines.join('\n')).toMatch(/ALTERED_RESULT: the result hashes to/);

    // With no TSA configured, the signer is unknown.
    expect(await proofVerify(stack.db.dataSource, [], latest!.id, 'table', out)).toBe(1);
    expect(lines.join('\n')).toMatch(/UNKNOWN_TSA/);
    expect(
      await proofVerify(
        stack.db.dataSource,
        tsas,
        '00000000-0000-4000-8000-000000000000',
        'table',
        out,
      ),
    ).toBe(2);
  });
});
