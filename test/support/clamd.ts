import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startClamd, type RunningClamd } from '../../libs/embedded/clamd';
import { freePort } from '../../libs/embedded/process-utils';

export interface TestClamd extends RunningClamd {
  /** CLAMD_ADDRESS for the worker. */
  env: Record<string, string>;
  /** Stops clamd and removes its folder. */
  stopAndClean(): Promise<void>;
  /** Starts it again on the same port (after `stop`, to simulate an outage). */
  restart(): Promise<void>;
}

/** A real clamd with the lab's signature database, on a free port, for one test file. */
export async function startTestClamd(opts: { streamMaxBytes?: number } = {}): Promise<TestClamd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perimeter-clamd-'));
  const port = await freePort();
  const logs: string[] = [];
  const start = () =>
    startClamd({ dir, port, streamMaxBytes: opts.streamMaxBytes, onLog: (l) => logs.push(l) });
  let running = await start().catch((err: Error) => {
    throw new Error(`${err.message}\n${logs.join('')}`);
  });
  const handle: TestClamd = {
    ...running,
    env: { CLAMD_ADDRESS: running.address },
    stop: () => running.stop(),
    async restart() {
      running = await start();
      handle.process = running.process;
    },
    async stopAndClean() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
