import net from 'node:net';
import { parseServerReply, type ServerReply } from './server-reply';

/**
 * Opens a connection ready for TLS bytes: a plain TCP connection, or an SMTP session that has
 * just been told STARTTLS. Rejects with `ConnectFailed` when that is impossible.
 */
export type Connector = (timeoutMs: number) => Promise<net.Socket>;

export class ConnectFailed extends Error {
  override name = 'ConnectFailed';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ProbeOutcome =
  | ServerReply
  /** The server closed (or reset) the connection without a word: the offer was refused. */
  | { kind: 'closed' }
  /** No complete answer in time: could not determine. */
  | { kind: 'timeout' }
  | { kind: 'connect-failed'; code: string; message: string };

/** Handshakes sent by this process (the benchmark reports them). */
export const probeStats = { handshakes: 0 };

/** A plain TCP connector to `address:port`. */
export function tcpConnector(address: string, port: number): Connector {
  return (timeoutMs) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: address, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectFailed('ETIMEDOUT', `connecting to ${address}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new ConnectFailed(
            err.code ?? 'EUNKNOWN',
            `connecting to ${address}:${port}: ${err.message}`,
          ),
        );
      });
    });
}

/**
 * Sends one hello and reads the first flight, then drops the connection. Everything is bounded
 * by `timeoutMs` (connection included); a timeout is its own outcome, never a refusal.
 */
export async function probe(
  connect: Connector,
  hello: Buffer,
  opts: { timeoutMs: number; ssl2?: boolean },
): Promise<ProbeOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  let socket: net.Socket;
  try {
    socket = await connect(opts.timeoutMs);
  } catch (err) {
    if (err instanceof ConnectFailed) {
      return err.code === 'ETIMEDOUT'
        ? { kind: 'timeout' }
        : { kind: 'connect-failed', code: err.code, message: err.message };
    }
    throw err;
  }
  probeStats.handshakes++;
  return new Promise<ProbeOutcome>((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(1, deadline - Date.now()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // A server flight is a few KiB; anything past 256 KiB is not a handshake.
      if (received.length > 256 * 1024) {
        finish({ kind: 'garbage', detail: 'more than 256 KiB without a complete reply' });
        return;
      }
      const reply = parseServerReply(received, opts.ssl2);
      if (reply) finish(reply);
    });
    socket.on('error', () => finish({ kind: 'closed' }));
    socket.on('close', () => finish({ kind: 'closed' }));
    socket.write(hello);
  });
}
