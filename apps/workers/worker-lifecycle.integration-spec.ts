import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { createTestDatabase } from '../../test/support/test-database';
import { startTestStack, waitForScan, type TestStack } from '../../test/support/test-stack';
import { spawnWorker, type WorkerProcess } from '../../test/support/worker-process';

const SLOW_NAME = 'good.perimeter.test';
const REQUEST = `mutation($o: ID!, $d: String!) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: ["dns-inventory"]) { id workflowId }
}`;
const SCAN = `query($id: ID!) { scan(id: $id) { status results { scanner status attempt } } }`;

describe('worker lifecycle: the scan survives the worker', () => {
  let lab: Lab;
  let stack: TestStack;
  const queried: string[] = [];
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // Answers for the slow name take 3 s, so a test can act while the DNS activity runs.
    lab = await startLab({
      onDnsQuery: (q) => queried.push(q.name),
      dnsUdpDelayMs: (q) => (q.name === SLOW_NAME ? 3000 : 0),
    });
    stack = await startTestStack({ env: { SCANNER_RESOLVERS: lab.resolvers.join(',') } });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
  });
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  function startWorker(): WorkerProcess {
    const w = spawnWorker({
      DATABASE_URL: stack.config.databaseUrl!,
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      SCANNER_RESOLVERS: lab.resolvers.join(','),
      ALLOW_PRIVATE_TARGETS: 'true',
      SCANNER_DNS_TIMEOUT_MS: '10000',
      SCANNER_DNS_TRIES: '1',
      WORKER_SHUTDOWN_GRACE_MS: '20000',
      LOG_LEVEL: 'info',
    });
    workers.push(w);
    return w;
  }

  async function requestWhileRunning(): Promise<{ id: string; workflowId: string }> {
    queried.length = 0;
    const { data, errors } = await stack.graphql<{
      requestDomainScan: { id: string; workflowId: string };
    }>(REQUEST, { o: stack.organisationId, d: SLOW_NAME });
    expect(errors).toBeUndefined();
    const deadline = Date.now() + 30_000;
    while (!queried.includes(SLOW_NAME)) {
      if (Date.now() > deadline) throw new Error('the DNS activity never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    return data!.requestDomainScan;
  }

  async function completedActivities(workflowId: string, type: string): Promise<number> {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    let completed = 0;
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const c = e.activityTaskCompletedEventAttributes;
      if (c && scheduled.get(String(c.scheduledEventId)) === type) completed++;
    }
    return completed;
  }

  it('refuses to start against an unmigrated database, naming the fix', async () => {
    const empty = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    try {
      const w = spawnWorker({
        DATABASE_URL: empty.url,
        TEMPORAL_ADDRESS: stack.config.temporal.address,
        TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      });
      workers.push(w);
      expect(await w.exited).toBe(1);
      const fatal = w.logs.find((l) => l.level === 'fatal');
      expect(fatal?.msg).toMatch(/missing \d+ migration.*npm run db:migrate/);
    } finally {
      await empty.drop();
    }
  });

  it('a worker killed mid-scan: a new worker finishes it, with exactly one result row', async () => {
    const first = startWorker();
    await first.waitForLog('worker started');
    const { id, workflowId } = await requestWhileRunning();

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = startWorker();
    await second.waitForLog('worker started');
    await waitForScan(stack, id, undefined, 90_000);

    const { data } = await stack.graphql<{ scan: any }>(SCAN, { id });
    expect(data!.scan.status).toBe('COMPLETED');
    // The first attempt died with its worker; the retry on the new worker wrote the one row.
    expect(data!.scan.results).toEqual([{ scanner: 'dns', status: 'COMPLETED', attempt: 2 }]);
    const rows = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM scan_result WHERE scan_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ n: 1 }]);
    expect(await completedActivities(workflowId, 'dnsInventory')).toBe(1);
    expect(await completedActivities(workflowId, 'finishScan')).toBe(1);
  });

  it('SIGTERM lets the in-flight activity finish, then the worker exits cleanly', async () => {
    const first = startWorker();
    await first.waitForLog('worker started');
    const { id, workflowId } = await requestWhileRunning();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.logs.some((l) => l.msg === 'worker stopped')).toBe(true);

    // The activity completed on the stopping worker (attempt 1); the rest of the workflow
    // continues on the next one.
    const second = startWorker();
    await second.waitForLog('worker started');
    await waitForScan(stack, id, undefined, 60_000);
    const { data } = await stack.graphql<{ scan: any }>(SCAN, { id });
    expect(data!.scan.status).toBe('COMPLETED');
    expect(data!.scan.results).toEqual([{ scanner: 'dns', status: 'COMPLETED', attempt: 1 }]);
    expect(await completedActivities(workflowId, 'dnsInventory')).toBe(1);
  });
});
