import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { DMARC_BUCKET_SCHEDULE_ID, DMARC_MAILBOX_SCHEDULE_ID, TaskQueues } from '../contracts';

/**
 * A Schedule that starts `workflowType` every `everySeconds` on the DMARC reports queue. Creating
 * it again (every worker start) is success; a changed interval updates it. Overlapping runs are
 * skipped.
 */
async function ensurePollSchedule(
  client: Client,
  scheduleId: string,
  workflowType: string,
  everySeconds: number,
): Promise<void> {
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: `${everySeconds}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType,
      taskQueue: TaskQueues.dmarcReports,
      workflowId: scheduleId,
      args: [],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...previous, spec: options.spec }));
  }
}

/** The Schedule that polls the DMARC mailbox every `pollSeconds`. */
export function ensureDmarcMailboxSchedule(client: Client, pollSeconds: number): Promise<void> {
  return ensurePollSchedule(client, DMARC_MAILBOX_SCHEDULE_ID, 'dmarcMailboxPoll', pollSeconds);
}

/** The Schedule that sweeps the DMARC report prefix of a bucket every `pollSeconds`. */
export function ensureDmarcBucketSchedule(client: Client, pollSeconds: number): Promise<void> {
  return ensurePollSchedule(client, DMARC_BUCKET_SCHEDULE_ID, 'dmarcBucketSweep', pollSeconds);
}
