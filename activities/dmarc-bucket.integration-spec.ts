import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DMARC_BUCKET_SCHEDULE_ID, TaskQueues } from '../libs/contracts';
import { createOrganisation } from '../libs/db';
import { recordHistoryIfAsked } from '../test/support/record-history';
import { startTestS3Server, type TestS3Server } from '../test/support/s3-server';
import { startTestStack, type TestStack } from '../test/support/test-stack';

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, '../libs/dmarc-report/fixtures', name));

describe('DMARC reports from a bucket prefix (real S3 server)', () => {
  let s3: TestS3Server;
  let stack: TestStack;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    stack = await startTestStack({
      env: {
        ...s3.env,
        DMARC_BUCKET_NAME: 'rua-reports',
        DMARC_BUCKET_PREFIX: 'dmarc/',
        DMARC_BUCKET_ORGANISATION: 'bucket-org',
        DMARC_BUCKET_POLL_SECONDS: '3600',
        DMARC_UPLOAD_MAX_BYTES: '65536',
      },
    });
    await createOrganisation(stack.db.dataSource, { slug: 'bucket-org', name: 'Bucket' });
    await s3.createBucket('rua-reports');
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  const stored = async () =>
    (await stack.db.dataSource.query(
      `SELECT r.reporter_org AS reporter, u.source_ref AS ref
         FROM dmarc_report r JOIN dmarc_report_upload u ON u.id = r.upload_id
         JOIN organisation o ON o.id = r.organisation_id
        WHERE o.slug = 'bucket-org' ORDER BY 1`,
    )) as Array<{ reporter: string; ref: string }>;

  /** Triggers the schedule and waits for that run's outcome. */
  async function sweep() {
    const before = new Set<string>();
    for await (const run of stack.client.workflow.list({
      query: `WorkflowType = 'dmarcBucketSweep'`,
    }))
      before.add(run.runId);
    await stack.client.schedule.getHandle(DMARC_BUCKET_SCHEDULE_ID).trigger();
    const deadline = Date.now() + 60_000;
    for (;;) {
      for await (const run of stack.client.workflow.list({
        query: `WorkflowType = 'dmarcBucketSweep'`,
      })) {
        if (before.has(run.runId)) continue;
        const handle = stack.client.workflow.getHandle(run.workflowId, run.runId);
        const outcome = await handle.result();
        await recordHistoryIfAsked(stack, run.workflowId);
        return outcome;
      }
      if (Date.now() > deadline) throw new Error('the schedule never started a sweep');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('the worker schedules the sweep; each report under the prefix is stored once', async () => {
    await s3.put('rua-reports', 'dmarc/google.xml.gz', gzipSync(fixture('rfc7489.xml')));
    await s3.put('rua-reports', 'dmarc/yahoo.xml', fixture('draft.xml'));
    await s3.put('rua-reports', 'dmarc/huge.xml', 'x'.repeat(70_000));
    await s3.put('rua-reports', 'elsewhere/other.xml', fixture('draft.xml'));

    await stack.startWorker(TaskQueues.dmarcReports);
    const described = await stack.client.schedule.getHandle(DMARC_BUCKET_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.map((i) => Number(i.every))).toEqual([3_600_000]);
    expect(described.action).toMatchObject({ workflowType: 'dmarcBucketSweep' });

    expect(await sweep()).toEqual({ ingested: 2, skipped: 0, refused: 1 });
    expect((await stored()).map((r) => r.reporter)).toEqual(['Yahoo! Inc.', 'google.com']);

    // The next sweep reads nothing again; a rewritten object is read again but its report is
    // the same report, stored once.
    expect(await sweep()).toEqual({ ingested: 0, skipped: 2, refused: 1 });
    await s3.put('rua-reports', 'dmarc/yahoo.xml', fixture('draft.xml').toString() + '\n');
    expect(await sweep()).toEqual({ ingested: 1, skipped: 1, refused: 1 });
    expect((await stored()).map((r) => r.reporter)).toEqual(['Yahoo! Inc.', 'google.com']);
    // The objects stay where they are.
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'rua-reports' }));
    expect(listed.KeyCount).toBe(4);
  }, 120_000);
});
