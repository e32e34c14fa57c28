import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { DMARC_MAILBOX_SCHEDULE_ID, TaskQueues } from '../contracts';

/**
 * The Schedule that polls the DMARC mailbox every `pollSeconds`. Creating it again (every worker
 * start) is success; a changed interval updates it. Overlapping polls are skipped.
 */
export async function ensureDmarcMailboxSchedule(
  client: Client,
  pollSeconds: number,
): Promise<void> {
  const options: ScheduleOptions = {
    scheduleId: DMARC_MAILBOX_SCHEDULE_ID,
    spec: { intervals: [{ every: `${pollSeconds}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'dmarcMailboxPoll',
      taskQueue: TaskQueues.dmarcReports,
      workflowId: DMARC_MAILBOX_SCHEDULE_ID,
      args: [],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(DMARC_MAILBOX_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec: options.spec }));
  }
}
