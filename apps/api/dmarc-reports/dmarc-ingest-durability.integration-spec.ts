import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskQueues } from '../../../libs/contracts';
import { generateReportXml } from '../../../libs/dmarc-report';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';
import { spawnWorker, type WorkerProcess } from '../../../test/support/worker-process';

const RECORDS = 60_000;

describe('DMARC ingest survives its worker', () => {
  let stack: TestStack;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    stack = await startTestStack({});
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
  });
  afterAll(() => stack?.stop());

  function startWorker(): WorkerProcess {
    const w = spawnWorker({
      DATABASE_URL: stack.config.databaseUrl!,
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      WORKER_TASK_QUEUES: TaskQueues.dmarcReports,
      // No DNS in this test: enrichment answers "unknown" quickly.
      SCANNER_RESOLVERS: '127.0.0.1:9',
      SCANNER_DNS_TIMEOUT_MS: '200',
      SCANNER_DNS_TRIES: '1',
      LOG_LEVEL: 'info',
    });
    workers.push(w);
    return w;
  }

  it('a worker killed mid-report: the retry on a new worker stores the report once, whole', async () => {
    const chunks: Buffer[] = [];
    for await (const c of generateReportXml({
      reportId: 'durable-1',
      domain: 'example.org',
      records: RECORDS,
    }))
      chunks.push(c);
    const body = gzipSync(Buffer.concat(chunks));

    const first = startWorker();
    await first.waitForLog('worker started');
    const res = await fetch(
      `${stack.graphqlUrl.replace(/\/graphql$/, '')}/organisations/${stack.organisationId}/dmarc-reports?name=big.xml.gz`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.token}`,
          'content-type': 'application/gzip',
        },
        body,
      },
    );
    expect(res.status).toBe(202);
    const { workflowId, id } = (await res.json()) as { workflowId: string; id: string };

    // Kill it once the activity has reported progress (records written, not committed).
    const handle = stack.client.workflow.getHandle(workflowId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      if (pending.some((a) => a.heartbeatDetails?.payloads?.length)) break;
      if (Date.now() > deadline) throw new Error('the ingest never reported progress');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // Nothing of the half-written report is visible: its transaction died with the worker.
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM dmarc_report`,
    )) as [{ n: number }];
    expect(n).toBe(0);

    const second = startWorker();
    await second.waitForLog('worker started');
    const outcome = (await handle.result()) as { stored: number; duplicates: number };
    expect(outcome).toMatchObject({ stored: 1, duplicates: 0 });

    const rows = (await stack.db.dataSource.query(
      `SELECT r.record_count AS "recordCount",
              (SELECT count(*)::int FROM dmarc_report_record x WHERE x.report_id = r.id) AS stored,
              u.status
         FROM dmarc_report r JOIN dmarc_report_upload u ON u.id = r.upload_id WHERE u.id = $1`,
      [id],
    )) as Array<{ recordCount: number; stored: number; status: string }>;
    expect(rows).toEqual([{ recordCount: RECORDS, stored: RECORDS, status: 'done' }]);
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt)
      .filter((a): a is number => typeof a === 'number');
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
