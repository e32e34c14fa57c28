import { Context } from '@temporalio/activity';

/**
 * Runs `fn` while heartbeating: a worker that dies mid-activity is noticed within the heartbeat
 * timeout (not the whole start-to-close timeout), and a cancellation reaches the activity.
 */
export async function withHeartbeats<T>(fn: () => Promise<T>, intervalMs = 2000): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), intervalMs);
  try {
    return await Promise.race([fn(), ctx.cancelled]);
  } finally {
    clearInterval(timer);
  }
}
