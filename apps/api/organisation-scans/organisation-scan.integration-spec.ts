import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisationScanProgressQuery, organisationScanStart } from '../../../libs/contracts';
import { createOrganisationScan } from '../../../libs/db/organisation-scans.repository';
import type { organisationScan } from '../../../workflows/organisation-scan.workflow';
import { createOrganisation } from '../../../libs/db';
import { startLab, type Lab } from '../../../lab/lab';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { createApiKey } from '../../../test/support/test-principals';
import { spawnWorker, type WorkerProcess } from '../../../test/support/worker-process';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const DOMAINS = [
  'good.perimeter.test',
  'spf-good.perimeter.test',
  'dmarc-good.perimeter.test',
  'mx-good.perimeter.test',
  'caa-good.perimeter.test',
  'nomail.perimeter.test',
];

/** DNS answers for this one take 3 s, so a worker can be killed while its scan runs. */
const SLOW = 'mx-good.perimeter.test';

const REQUEST = `mutation($o: ID!, $s: [String!], $c: Int) {
  requestOrganisationScan(organisationId: $o, scanners: $s, concurrency: $c) {
    id status workflowId concurrency scanners
  }
}`;
const GET = `query($id: ID!) {
  organisationScan(id: $id) {
    id status startedAt finishedAt error
    progress { total pending running done failed }
    scans { id target status workflowId startedAt finishedAt }
  }
}`;

interface OrgScan {
  id: string;
  status: string;
  progress: { total: number; pending: number; running: number; done: number; failed: number };
  scans: Array<{
    id: string;
    target: string;
    status: string;
    workflowId: string;
    startedAt: string;
    finishedAt: string;
  }>;
}

describe('requestOrganisationScan: one parent workflow over child domain scans', () => {
  let lab: Lab;
  let stack: TestStack;
  let worker: Worker;
  const processes: WorkerProcess[] = [];

  /** The real worker entrypoint as its own process, on this file's database and namespace. */
  function workerProcess(): WorkerProcess {
    const w = spawnWorker({
      DATABASE_URL: stack.config.databaseUrl!,
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      SCANNER_RESOLVERS: lab.resolvers.join(','),
      ALLOW_PRIVATE_TARGETS: 'true',
      SCANNER_EXTRA_PUBLIC_SUFFIXES: 'perimeter.test',
      SCANNER_DNS_TIMEOUT_MS: '10000',
      SCANNER_DNS_TRIES: '1',
      LOG_LEVEL: 'info',
    });
    processes.push(w);
    return w;
  }

  async function get(id: string): Promise<OrgScan> {
    const res = await stack.graphql<{ organisationScan: OrgScan }>(GET, { id });
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.organisationScan;
  }

  async function waitFor(id: string, until: (s: OrgScan) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const scan = await get(id);
      if (until(scan)) return scan;
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(scan.progress)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const finished = (s: OrgScan) => !['QUEUED', 'RUNNING'].includes(s.status);

  async function request(organisationId: string, variables: Record<string, unknown> = {}) {
    return stack.graphql<{ requestOrganisationScan: Record<string, unknown> }>(REQUEST, {
      o: organisationId,
      s: ['dns-inventory'],
      ...variables,
    });
  }

  beforeAll(async () => {
    lab = await startLab({ dnsUdpDelayMs: (q) => (q.name === SLOW ? 3000 : 0) });
    stack = await startTestStack({ lab });
    for (const d of DOMAINS) {
      const res = await stack.graphql(
        `mutation($o: ID!, $d: String!) { addDomain(organisationId: $o, domain: $d) { id } }`,
        { o: stack.organisationId, d },
      );
      expect(res.errors).toBeUndefined();
    }
    worker = await stack.startWorker();
  }, 120_000); // The lab and a first workflow bundle take a while on a busy machine.
  afterAll(async () => {
    for (const w of processes) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(processes.map((w) => w.exited));
    await stack?.stop();
    await lab?.close();
  });

  it('scans every domain as its own scan, at most `concurrency` at a time', async () => {
    const res = await request(stack.organisationId, { c: 2 });
    expect(res.errors).toBeUndefined();
    const requested = res.data!.requestOrganisationScan;
    expect(requested).toMatchObject({ status: 'QUEUED', concurrency: 2, scanners: ['dns'] });
    expect(requested.workflowId).toBe(`organisation-scan:${requested.id}`);

    const done = await waitFor(requested.id as string, finished);
    expect(done.status).toBe('COMPLETED');
    expect(done.progress).toEqual({ total: 6, pending: 0, running: 0, done: 6, failed: 0 });
    expect(done.scans.map((s) => s.target)).toEqual([...DOMAINS].sort());
    for (const child of done.scans) {
      expect(child.status).toBe('COMPLETED');
      expect(child.workflowId).toBe(`domain-scan:${child.id}`);
    }
    // Never more than two children running at once, by their own recorded times.
    const edges = done.scans.flatMap((s) => [
      { t: Date.parse(s.startedAt), d: 1 },
      { t: Date.parse(s.finishedAt), d: -1 },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (now += e.d));
    expect(most).toBeLessThanOrEqual(2);

    // Each child is its own scan, readable on its own, and a child of the parent in Temporal.
    const child = await stack.graphql<{ scan: { status: string; results: unknown[] } }>(
      `query($id: ID!) { scan(id: $id) { status results { scanner status } } }`,
      { id: done.scans[0].id },
    );
    expect(child.data!.scan).toMatchObject({ status: 'COMPLETED', results: [{ scanner: 'dns' }] });
    const described = await stack.client.workflow.getHandle(done.scans[0].workflowId).describe();
    expect(described.parentExecution?.workflowId).toBe(requested.workflowId);
    // The parent answers its progress by workflow query too.
    const queried = await stack.client.workflow
      .getHandle(requested.workflowId as string)
      .query(organisationScanProgressQuery);
    expect(queried).toMatchObject({ status: 'completed', total: 6, done: 6, failed: 0 });
    await recordHistoryIfAsked(stack, requested.workflowId as string);
  });

  it('continues as new page by page on a large organisation, counting across runs', async () => {
    const scan = await createOrganisationScan(stack.db.dataSource, {
      organisationId: stack.organisationId,
      scanners: ['dns'],
      concurrency: 2,
      requestedBy: null,
    });
    // Small pages and runs stand in for a large organisation: three runs of two domains each.
    const input = {
      organisationScanId: scan.id,
      organisationId: stack.organisationId,
      scanners: ['dns' as const],
      concurrency: 2,
      pageSize: 2,
      domainsPerRun: 2,
    };
    const handle = await stack.client.workflow.start<typeof organisationScan>('organisationScan', {
      ...organisationScanStart(input, 'test'),
    });
    const done = await waitFor(scan.id, finished);
    expect(done.status).toBe('COMPLETED');
    expect(done.progress).toEqual({ total: 6, pending: 0, running: 0, done: 6, failed: 0 });
    expect(done.scans.map((s) => s.target)).toEqual([...DOMAINS].sort());
    const firstRun = await stack.client.workflow
      .getHandle(scan.workflowId, handle.firstExecutionRunId)
      .describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(await handle.result()).toMatchObject({ status: 'completed', total: 6, done: 6 });
  });

  it('cancelled, it stops its running children and starts no more', async () => {
    const res = await request(stack.organisationId, { c: 1 });
    const requested = res.data!.requestOrganisationScan;
    // The slow domain's child is running: cancel the parent then.
    await waitFor(requested.id as string, (s) =>
      s.scans.some((c) => c.target === SLOW && c.status === 'RUNNING'),
    );
    const cancel = await stack.graphql<{ cancelOrganisationScan: { id: string } }>(
      `mutation($id: ID!) { cancelOrganisationScan(id: $id) { id } }`,
      { id: requested.id },
    );
    expect(cancel.errors).toBeUndefined();
    const cancelled = await waitFor(requested.id as string, finished);
    expect(cancelled.status).toBe('CANCELLED');
    const byTarget = Object.fromEntries(cancelled.scans.map((c) => [c.target, c.status]));
    expect(
      await waitForScan(stack, cancelled.scans.find((c) => c.target === SLOW)!.id),
    ).toMatchObject({ status: 'CANCELLED' });
    // Name order: three finished before it, none started after it.
    expect(byTarget).toMatchObject({
      'caa-good.perimeter.test': 'COMPLETED',
      'dmarc-good.perimeter.test': 'COMPLETED',
      'good.perimeter.test': 'COMPLETED',
    });
    expect(cancelled.scans).toHaveLength(4);
    // Cancelling it again: it has finished.
    const again = await stack.graphql(
      `mutation($id: ID!) { cancelOrganisationScan(id: $id) { id } }`,
      { id: requested.id },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('survives its worker process being killed mid-run: nothing lost, nothing written twice', async () => {
    // Only worker processes poll from here on, so killing one really stops the scan.
    await worker.shutdown();
    const first = workerProcess();
    await first.waitForLog('worker started');
    const res = await request(stack.organisationId, { c: 1 });
    const id = res.data!.requestOrganisationScan.id as string;
    // Children run in name order; the slow domain is the fourth, so the kill lands mid-run.
    await waitFor(id, (s) => s.progress.done >= 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const killed = await get(id);
    expect(killed.status).toBe('RUNNING');
    expect(killed.progress.done).toBeLessThan(6);

    const second = workerProcess();
    await second.waitForLog('worker started');
    const done = await waitFor(id, finished, 90_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.progress).toMatchObject({ total: 6, done: 6, failed: 0 });
    const rows = (await stack.db.dataSource.query(
      `SELECT s.domain_id, count(r.id)::int AS results FROM scan s
         LEFT JOIN scan_result r ON r.scan_id = s.id
       WHERE s.organisation_scan_id = $1 GROUP BY s.id`,
      [id],
    )) as Array<{ domain_id: string; results: number }>;
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.domain_id)).size).toBe(6);
    expect(rows.every((r) => r.results === 1)).toBe(true);
  });

  it('refuses bad requests with a typed error and writes nothing', async () => {
    const count = async () =>
      (
        (await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM organisation_scan`)) as [
          { n: number },
        ]
      )[0].n;
    const before = await count();
    const unknown = await request(stack.organisationId, { s: ['nope'] });
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0].message).toMatch(/unknown scanner/);
    for (const c of [0, 101]) {
      const bad = await request(stack.organisationId, { c });
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const empty = await createOrganisation(stack.db.dataSource, { slug: 'empty', name: 'Empty' });
    const key = await createApiKey(stack.db.dataSource, empty.id, 'operator');
    const none = await stack.graphql(REQUEST, { o: empty.id, s: ['dns'] }, key.token);
    expect(none.errors?.[0]).toMatchObject({
      message: 'the organisation has no domains to scan',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const missing = await stack.graphql(GET, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await count()).toBe(before);
  });
});
