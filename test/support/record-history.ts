import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../libs/embedded/paths';
import { temporalCliPath } from '../../libs/embedded/temporal-dev-server';
import type { TestStack } from './test-stack';

/**
 * With RECORD_HISTORY=<name> set, saves a workflow's history (as `temporal workflow show` prints
 * it) to workflows/__histories__/<name>.json for the replay test; otherwise does nothing.
 */
export async function recordHistoryIfAsked(
  stack: TestStack,
  workflowId: string,
  /** Appended to the name, when one test records several workflows. */
  suffix = '',
): Promise<void> {
  const name = process.env.RECORD_HISTORY;
  if (!name) return;
  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    'workflow',
    'show',
    '--output',
    'json',
    '--address',
    stack.config.temporal.address,
    '--namespace',
    stack.config.temporal.namespace,
    '--workflow-id',
    workflowId,
  ]);
  await writeFile(
    path.join(projectRoot(), 'workflows', '__histories__', `${name}${suffix}.json`),
    stdout,
  );
}
