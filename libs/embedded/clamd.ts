import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from './paths';
import { stopProcess, waitFor } from './process-utils';

/** The lab's signature database: EICAR, a marker string and a zip member name (lab/clamav/). */
export function labSignatureDatabase(): string {
  return path.join(projectRoot(), 'lab', 'clamav', 'daily.cud');
}

export interface ClamdOptions {
  /** clamd's working folder: its configuration, database copy, socket and log. */
  dir: string;
  /** TCP port on 127.0.0.1; the Unix socket `<dir>/clamd.sock` is always opened too. */
  port: number;
  /** Signature database files copied into `<dir>/db`; the lab's by default. */
  databaseFiles?: string[];
  /** clamd's StreamMaxLength in bytes (INSTREAM refuses longer streams). */
  streamMaxBytes?: number;
  onLog?: (line: string) => void;
}

export interface RunningClamd {
  /** `host:port` for CLAMD_ADDRESS. */
  address: string;
  socketPath: string;
  configFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Asks clamd `PING` and expects `PONG`. */
export function pingClamd(address: { host: string; port: number } | { path: string }) {
  return new Promise<void>((resolve, reject) => {
    const socket = net.connect(address as net.NetConnectOpts);
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('clamd did not answer PING')));
    socket.on('connect', () => socket.end('zPING\0'));
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('error', reject);
    socket.on('close', () =>
      reply.startsWith('PONG') ? resolve() : reject(new Error(`clamd answered ${reply}`)),
    );
  });
}

/** Debian's clamd in the foreground with its own configuration (never the system's). */
export async function startClamd(options: ClamdOptions): Promise<RunningClamd> {
  const dbDir = path.join(options.dir, 'db');
  await mkdir(dbDir, { recursive: true });
  for (const file of options.databaseFiles ?? [labSignatureDatabase()])
    await copyFile(file, path.join(dbDir, path.basename(file)));
  const socketPath = path.join(options.dir, 'clamd.sock');
  const configFile = path.join(options.dir, 'clamd.conf');
  const streamMax = options.streamMaxBytes ?? 100 * 1024 * 1024;
  await writeFile(
    configFile,
    [
      'Foreground yes',
      `DatabaseDirectory ${dbDir}`,
      `LocalSocket ${socketPath}`,
      'TCPAddr 127.0.0.1',
      `TCPSocket ${options.port}`,
      `LogFile ${path.join(options.dir, 'clamd.log')}`,
      'LogTime yes',
      `StreamMaxLength ${streamMax}`,
      `MaxFileSize ${streamMax}`,
      `MaxScanSize ${Math.max(streamMax * 4, 400 * 1024 * 1024)}`,
      // Runs as whoever starts it (root on CI), reading only its own folder.
      ...(process.getuid?.() === 0 ? ['User root'] : []),
      'SelfCheck 60',
      '',
    ].join('\n'),
  );
  const child = spawn('clamd', ['--config-file', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.onLog ?? (() => undefined);
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log(d.toString()));
  let exited: string | undefined;
  child.once('error', (err) => (exited = err.message));
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  await waitFor(
    `clamd on 127.0.0.1:${options.port}`,
    async () => {
      if (exited) throw new Error(`clamd ${exited} (is clamav-daemon installed?)`);
      await pingClamd({ host: '127.0.0.1', port: options.port });
    },
    { timeoutMs: 45_000, intervalMs: 100 },
  );
  return {
    address: `127.0.0.1:${options.port}`,
    socketPath,
    configFile,
    process: child,
    stop: () => stopProcess(child),
  };
}
