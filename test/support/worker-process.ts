import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../libs/embedded/paths';

export interface WorkerProcess {
  child: ChildProcess;
  /** JSON log lines the worker printed so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  waitForLog(msg: string, timeoutMs?: number): Promise<void>;
}

/** The real worker entrypoint (`dist/apps/workers/main.js`) as its own process. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const entry = path.join(projectRoot(), 'dist/apps/workers/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  const raw: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        raw.push(line);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => raw.push(d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    logs,
    exited,
    async waitForLog(msg, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!logs.some((l) => l.msg === msg)) {
        if (child.exitCode !== null) {
          throw new Error(
            `worker exited (${child.exitCode}) before "${msg}":\n${[...logs.map((l) => JSON.stringify(l)), ...raw].join('\n')}`,
          );
        }
        if (Date.now() > deadline) throw new Error(`worker never logged "${msg}"`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
