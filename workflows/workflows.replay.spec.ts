import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const dir = path.join(__dirname, '__histories__');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

/**
 * Every recorded history must replay against today's workflow code: a change that would break
 * running workflows fails here. Change shape with `patched()` and record a new history beside the
 * old ones (README, "Changing a workflow").
 */
describe('workflow replay', () => {
  // The replay worker's state changes are noise here; a failure still says what diverged.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  // 60 s each: the first replay bundles the workflows, seconds on a loaded machine.
  it.each(histories)(
    'replays %s deterministically',
    async (file) => {
      const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
      await Worker.runReplayHistory(
        { workflowsPath: path.join(__dirname, 'index.ts'), replayName: file },
        history,
      );
    },
    60_000,
  );
});
