import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { projectRoot } from '../../libs/embedded/paths';
import { startTestStack, type TestStack } from '../../test/support/test-stack';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built `perimeter` command as a user runs it: its own process, stdout and stderr piped. */
function perimeter(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const entry = path.join(projectRoot(), 'dist/apps/cli/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('perimeter --server: the CLI as a client of a running API', () => {
  let lab: Lab;
  let stack: TestStack;
  let server: string[];

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ lab });
    for (const d of ['good.perimeter.test', 'spf-good.perimeter.test', 'mx-good.perimeter.test']) {
      await stack.graphql(
        `mutation($o: ID!, $d: String!) { addDomain(organisationId: $o, domain: $d) { id } }`,
        { o: stack.organisationId, d },
      );
    }
    await stack.startWorker();
    server = ['--server', stack.graphqlUrl.replace(/\/graphql$/, ''), '--token', stack.token];
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  it('scans a domain, following its progress one line per change, then prints JSON', async () => {
    const run = await perimeter([
      ...server,
      'scan',
      'domain',
      'good.perimeter.test',
      '--only',
      'dns-inventory,spf',
      '--format',
      'json',
    ]);
    expect(run.stderr).toMatch(/^scan [0-9a-f-]{36} \(workflow domain-scan:[0-9a-f-]{36}\)$/m);
    expect(run.code).toBe(0);
    const scan = JSON.parse(run.stdout);
    expect(scan).toMatchObject({ target: 'good.perimeter.test', status: 'COMPLETED' });
    expect(scan.results.map((r: { scanner: string }) => r.scanner).sort()).toEqual(['dns', 'spf']);
    // Not a TTY: each line appears when it changes, never repeated, ending with the final state.
    const lines = run.stderr.trim().split('\n').slice(1);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toContain('good.perimeter.test  COMPLETED');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}spf +done +completed$/));
    expect(run.stderr).not.toContain('\x1b['); // no cursor movement in a log
  });

  it('scans the organisation with a progress bar and a table of its domains', async () => {
    const run = await perimeter([
      ...server,
      'scan',
      'organisation',
      '--only',
      'dns',
      '--concurrency',
      '2',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('[##############################] 3/3  running 0  failed 0');
    expect(run.stderr).toMatch(/organisation scan [0-9a-f-]{36} {2}COMPLETED/);
    for (const d of ['good.perimeter.test', 'spf-good.perimeter.test', 'mx-good.perimeter.test']) {
      expect(run.stdout).toMatch(new RegExp(`│ ${d.replace(/\./g, '\\.')} +│ completed │`));
    }
  });

  it('lists domains as a table and as JSON', async () => {
    const table = await perimeter([...server, 'domains']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ domain +│ labels +│ web +│ mail +│ dmarc phase +│ added +│ id/);
    expect(table.stdout).toContain('spf-good.perimeter.test');
    const json = await perimeter([...server, 'domains', '--format', 'json']);
    expect(JSON.parse(json.stdout).map((d: { name: string }) => d.name)).toEqual([
      'good.perimeter.test',
      'mx-good.perimeter.test',
      'spf-good.perimeter.test',
    ]);
    // Compliance from the organisation scan above, which ran the DNS scanners only: neither the
    // web nor the mail criteria could be judged.
    const good = JSON.parse(json.stdout).find(
      (d: { name: string }) => d.name === 'good.perimeter.test',
    );
    expect(good.compliance).toMatchObject({ web: 'UNKNOWN', mail: 'UNKNOWN' });
  });

  it('manages a recurring audit: create (twice), list, trigger, pause, delete', async () => {
    const create = [
      ...server,
      'audit',
      'create',
      'weekly',
      '--domain',
      'good.perimeter.test',
      '--at',
      '03:30',
      '--days',
      'mon,thu',
      '--time-zone',
      'Europe/Paris',
      '--only',
      'dns-inventory',
      '--format',
      'json',
    ];
    const first = await perimeter(create);
    expect(first.code, first.stderr).toBe(0);
    const audit = JSON.parse(first.stdout);
    expect(audit.schedule).toMatchObject({
      timeZone: 'Europe/Paris',
      calendars: [{ hour: [3], minute: [30], dayOfWeek: [1, 4] }],
    });
    expect(JSON.parse((await perimeter(create)).stdout).id).toBe(audit.id);

    const list = await perimeter([...server, 'audit', 'list']);
    expect(list.stdout).toMatch(
      /│ weekly +│ good\.perimeter\.test +│ 03:30 mon,thu Europe\/Paris +│ active/,
    );

    expect((await perimeter([...server, 'audit', 'trigger', audit.id])).code).toBe(0);
    const deadline = Date.now() + 60_000;
    let scans: Array<{ status: string }> = [];
    while (Date.now() < deadline && scans[0]?.status !== 'COMPLETED') {
      const res = await stack.graphql<{ recurringAudit: { scans: Array<{ status: string }> } }>(
        `query($id: ID!) { recurringAudit(id: $id) { scans { status } } }`,
        { id: audit.id },
      );
      scans = res.data!.recurringAudit.scans;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(scans).toEqual([{ status: 'COMPLETED' }]);

    const paused = await perimeter([...server, 'audit', 'pause', audit.id, '--note', 'freeze']);
    expect(paused.stdout).toMatch(/│ paused/);
    const deleted = await perimeter([...server, 'audit', 'delete', audit.id]);
    expect(deleted.stdout.trim()).toBe(`deleted ${audit.id}`);
    expect((await perimeter([...server, 'audit', 'list', '--format', 'json'])).stdout.trim()).toBe(
      '[]',
    );
  });

  it('says what went wrong: a bad token, a bad schedule, no server', async () => {
    const bad = await perimeter([...server.slice(0, 2), '--token', 'nope', 'domains']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error UNAUTHENTICATED: /m);
    const tz = await perimeter([
      ...server,
      'audit',
      'create',
      'x',
      '--every',
      '1h',
      '--time-zone',
      'Mars/Base',
    ]);
    expect(tz.code).toBe(1);
    expect(tz.stderr).toMatch(/^error BAD_USER_INPUT: timeZone: not an IANA time zone/m);
    const usage = await perimeter([...server, 'audit', 'create', 'x', '--every', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--every: expected a duration/);
    const concurrency = await perimeter([
      ...server,
      'scan',
      'organisation',
      '--concurrency',
      'lots',
    ]);
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toMatch(/--concurrency: a number/);
    const noServer = await perimeter(['audit', 'list']);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/give --server/);
  });
});
