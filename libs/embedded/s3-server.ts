import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stopProcess, waitFor } from './process-utils';
import { toolsDir } from './paths';
import { ToolMissing } from './temporal-dev-server';

/** Pinned Versity S3 gateway; `scripts/tools.sh` builds it from its Go module. */
export const VERSITYGW_VERSION = 'v1.8.0';

export function versitygwPath(): string {
  const bin = path.join(toolsDir(), 'bin', 'versitygw');
  const stamp = path.join(toolsDir(), 'bin', 'versitygw.version');
  if (
    !existsSync(bin) ||
    !existsSync(stamp) ||
    readFileSync(stamp, 'utf8').trim() !== VERSITYGW_VERSION
  ) {
    throw new ToolMissing(
      `versitygw ${VERSITYGW_VERSION} not found in ${path.dirname(bin)}; run \`bash scripts/tools.sh\`.`,
    );
  }
  return bin;
}

export interface S3ServerOptions {
  /** Buckets are folders here (versitygw's POSIX backend). */
  dataDir: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /**
   * Where the gateway POSTs bucket notifications (AWS-style records, for every bucket). It must
   * answer when the gateway starts: versitygw sends a test event and refuses to start otherwise.
   */
  webhookUrl?: string;
  onLog?: (line: string) => void;
}

export interface RunningS3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Versity's S3 gateway over a local folder, on loopback, with path-style addressing. */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  const bin = versitygwPath();
  await mkdir(options.dataDir, { recursive: true });
  const region = options.region ?? 'us-east-1';
  const args = ['--port', `127.0.0.1:${options.port}`, '--region', region, '--quiet'];
  if (options.webhookUrl) args.push('--event-webhook-url', options.webhookUrl);
  // `--versioning-dir` is not set: objects have no version ids and are told apart by ETag.
  args.push('posix', options.dataDir);
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Credentials through the environment so they never show in `ps`.
    env: {
      ...process.env,
      ROOT_ACCESS_KEY_ID: options.accessKeyId,
      ROOT_SECRET_ACCESS_KEY: options.secretAccessKey,
    },
  });
  const log = options.onLog ?? (() => undefined);
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log(d.toString()));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitFor(
    `S3 server at ${endpoint}`,
    async () => {
      if (exited) throw new Error(`versitygw ${exited}`);
      // Any HTTP answer (403 without credentials) means it listens.
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return {
    endpoint,
    region,
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    process: child,
    stop: () => stopProcess(child),
  };
}
