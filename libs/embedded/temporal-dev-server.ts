import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { customSearchAttributes } from '../contracts/search-attributes';
import { stopProcess, waitFor } from './process-utils';
import { toolsDir } from './paths';

/** Pinned: v1.5.1 is the newest `temporalio/cli` that `go install` accepts (no `replace`). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export class ToolMissing extends Error {
  override readonly name = 'ToolMissing';
}

/** The Temporal CLI built by `scripts/tools.sh` into the tools folder. */
export function temporalCliPath(): string {
  const bin = path.join(toolsDir(), 'bin', 'temporal');
  const stamp = path.join(toolsDir(), 'bin', 'temporal.version');
  if (
    !existsSync(bin) ||
    !existsSync(stamp) ||
    readFileSync(stamp, 'utf8').trim() !== TEMPORAL_CLI_VERSION
  ) {
    throw new ToolMissing(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} not found in ${path.dirname(bin)}; run \`bash scripts/tools.sh\`.`,
    );
  }
  return bin;
}

export interface TemporalDevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file so workflows survive a restart; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  onLog?: (line: string) => void;
}

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `temporal server start-dev` with Perimeter's search attributes registered. */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<RunningTemporal> {
  const bin = temporalCliPath();
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'warn',
    ...customSearchAttributes.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
  ];
  if (options.uiPort !== undefined)
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.onLog ?? (() => undefined);
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log(d.toString()));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));

  const address = `127.0.0.1:${options.port}`;
  await waitFor(
    `Temporal dev server at ${address}`,
    async () => {
      if (exited) throw new Error(`temporal ${exited}`);
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({
          namespace: options.namespace ?? 'default',
        });
      } finally {
        await connection.close();
      }
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: child,
    stop: () => stopProcess(child),
  };
}
