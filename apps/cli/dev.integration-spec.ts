import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../libs/embedded/process-utils';
import { pingClamd } from '../../libs/embedded/clamd';
import { projectRoot } from '../../libs/embedded/paths';

/** What a newcomer does: start the embedded stack, paste the README's mutation, stop it. */
describe('perimeter dev', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('starts everything, runs a scan from the printed example, and stops cleanly', async () => {
    const entry = path.join(projectRoot(), 'dist/apps/cli/main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const data = await mkdtemp(path.join(tmpdir(), 'perimeter-dev-'));
    // PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
    await chmod(data, 0o755);
    dirs.push(data);
    const [api, pg, temporal, ui, dns, tsa, s3, clamd] = await Promise.all(
      Array.from({ length: 8 }, () => freePort()),
    );
    const child = spawn(process.execPath, [entry, 'dev', '--dns-port', String(dns)], {
      env: {
        PATH: process.env.PATH ?? '',
        PERIMETER_DEV_DATA_DIR: data,
        API_PORT: String(api),
        PERIMETER_DEV_PG_PORT: String(pg),
        PERIMETER_DEV_TEMPORAL_PORT: String(temporal),
        PERIMETER_DEV_TEMPORAL_UI_PORT: String(ui),
        PERIMETER_DEV_LAB_TSA_PORT: String(tsa),
        PERIMETER_DEV_S3_PORT: String(s3),
        PERIMETER_DEV_CLAMD_PORT: String(clamd),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!out.includes('Stop with Ctrl-C.')) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`dev failed:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const graphql = /GraphQL endpoint\s+(\S+)/.exec(out)![1];
      const temporalUi = /Temporal UI\s+(\S+)/.exec(out)![1];
      expect(graphql).toBe(`http://127.0.0.1:${api}/graphql`);
      // Bucket scanning parts: the S3 server answers (403 without credentials), clamd answers PING.
      expect(out).toContain(`S3 server         http://127.0.0.1:${s3}`);
      expect((await fetch(`http://127.0.0.1:${s3}`)).status).toBe(403);
      await pingClamd({ host: '127.0.0.1', port: clamd });

      // The sign-in and the scan the banner prints, as a user would paste them.
      const email = /email\s+(\S+)/.exec(out)![1];
      const password = /password\s+(\S+)\s+\(shown once/.exec(out)![1];
      const organisationId = /requestDomainScan\(organisationId: \\"([0-9a-f-]{36})\\"/.exec(
        out,
      )![1];
      let token = '';
      const post = async (payload: string) =>
        (await (
          await fetch(graphql, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: payload,
          })
        ).json()) as { data: any; errors?: unknown };
      const signedIn = await post(
        JSON.stringify({
          query: `mutation { signIn(email: "${email}", password: "${password}") { token } }`,
        }),
      );
      expect(signedIn.errors).toBeUndefined();
      token = signedIn.data.signIn.token as string;
      const requested = await post(
        JSON.stringify({
          query: `mutation { requestDomainScan(organisationId: "${organisationId}", domain: "good.perimeter.test") { id } }`,
        }),
      );
      expect(requested.errors).toBeUndefined();
      const id = requested.data.requestDomainScan.id as string;
      let status = 'QUEUED';
      while (status === 'QUEUED' || status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error('scan did not finish');
        await new Promise((r) => setTimeout(r, 200));
        const res = await post(JSON.stringify({ query: `{ scan(id: "${id}") { status } }` }));
        status = res.data.scan.status as string;
      }
      expect(status).toBe('COMPLETED');
      // Proof of scan: the embedded lab TSA time-stamps the stored results.
      const scanned = await post(
        JSON.stringify({ query: `{ scan(id: "${id}") { results { id } } }` }),
      );
      const resultId = scanned.data.scan.results[0].id as string;
      let proof = '';
      while (proof !== 'VERIFIED') {
        if (Date.now() > deadline) throw new Error(`result not time-stamped (${proof})`);
        await new Promise((r) => setTimeout(r, 200));
        const res = await post(
          JSON.stringify({ query: `{ verifyResult(id: "${resultId}") { state } }` }),
        );
        proof = res.data.verifyResult.state as string;
      }
      expect((await fetch(temporalUi)).status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('interrupted; stopping');
    // Everything it started is gone: the API's port is free again.
    await expect(fetch(`http://127.0.0.1:${api}/health/live`)).rejects.toThrow();
  });
});
