import net from 'node:net';
import { ConnectFailed, type Connector } from '../tls/probe';

/**
 * The few SMTP exchanges a STARTTLS check needs (banner, EHLO, STARTTLS), by hand: the scanner
 * must get the raw socket right after `220 ready to start TLS` to send its own ClientHellos,
 * which SMTP client libraries (they finish the TLS handshake themselves) do not hand out.
 */
export interface SmtpReply {
  code: number;
  lines: string[];
}

export interface SmtpGreeting {
  banner: SmtpReply;
  ehlo: SmtpReply;
  /** EHLO keywords, upper-case (`STARTTLS`, `SIZE 35882577`, …). */
  extensions: string[];
  starttls: boolean;
}

export class SmtpProtocolError extends Error {
  override name = 'SmtpProtocolError';
}

const MAX_REPLY = 64 * 1024;

/** Reads SMTP replies off a socket, one at a time. */
class ReplyReader {
  private buffer = '';
  private waiting: { resolve: (r: SmtpReply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('error', this.onEnd);
    socket.on('close', this.onEnd);
  }

  private onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('latin1');
    if (this.buffer.length > MAX_REPLY) this.fail(new SmtpProtocolError('SMTP reply over 64 KiB'));
    else this.deliver();
  };

  private onEnd = (err?: unknown) => {
    const e =
      err instanceof Error
        ? err
        : new ConnectFailed('ECONNRESET', 'the SMTP server closed the connection');
    this.fail(e as Error);
  };

  private fail(e: Error) {
    this.failure ??= e;
    this.waiting?.reject(this.failure);
    this.waiting = undefined;
  }

  private deliver() {
    if (!this.waiting) return;
    const lines: string[] = [];
    let rest = this.buffer;
    for (;;) {
      const end = rest.indexOf('\n');
      if (end < 0) return;
      const line = rest.slice(0, end).replace(/\r$/, '');
      rest = rest.slice(end + 1);
      if (!/^\d{3}([ -]|$)/.test(line)) {
        this.fail(new SmtpProtocolError(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`));
        return;
      }
      lines.push(line.slice(4));
      if (line[3] !== '-') {
        this.buffer = rest;
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve({ code: Number(line.slice(0, 3)), lines });
        return;
      }
    }
  }

  next(): Promise<SmtpReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  /** Stops reading: the socket is handed to someone else. */
  detach() {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('error', this.onEnd);
    this.socket.removeListener('close', this.onEnd);
  }
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
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

async function withDeadline<T>(
  p: Promise<T>,
  ms: number,
  socket: net.Socket,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          socket.destroy();
          reject(new ConnectFailed('ETIMEDOUT', `${what} timed out`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connects, reads the banner and says EHLO. With `starttls`, also issues STARTTLS and returns the
 * socket ready for a ClientHello. The whole exchange is bounded by `timeoutMs`.
 */
export async function smtpSession(
  address: string,
  port: number,
  opts: { ehloName: string; timeoutMs: number; starttls: boolean },
): Promise<{ greeting: SmtpGreeting; socket: net.Socket }> {
  const deadline = Date.now() + opts.timeoutMs;
  const socket = await connectTcp(address, port, opts.timeoutMs);
  const reader = new ReplyReader(socket);
  const left = () => Math.max(1, deadline - Date.now());
  try {
    const exchange = async () => {
      const banner = await reader.next();
      if (banner.code !== 220)
        throw new SmtpProtocolError(`banner ${banner.code} ${banner.lines.join(' ')}`);
      socket.write(`EHLO ${opts.ehloName}\r\n`);
      const ehlo = await reader.next();
      if (ehlo.code !== 250)
        throw new SmtpProtocolError(`EHLO refused: ${ehlo.code} ${ehlo.lines.join(' ')}`);
      const extensions = ehlo.lines.slice(1).map((l) => l.trim().toUpperCase());
      const greeting: SmtpGreeting = {
        banner,
        ehlo,
        extensions,
        starttls: extensions.some((e) => e === 'STARTTLS' || e.startsWith('STARTTLS ')),
      };
      if (opts.starttls) {
        if (!greeting.starttls) throw new SmtpProtocolError('STARTTLS is not offered');
        socket.write('STARTTLS\r\n');
        const ready = await reader.next();
        if (ready.code !== 220)
          throw new SmtpProtocolError(`STARTTLS refused: ${ready.code} ${ready.lines.join(' ')}`);
      }
      return greeting;
    };
    const greeting = await withDeadline(
      exchange(),
      left(),
      socket,
      `SMTP dialogue with ${address}:${port}`,
    );
    reader.detach();
    return { greeting, socket };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** A connector for the TLS prober: each connection is a fresh SMTP session upgraded with STARTTLS. */
export function starttlsConnector(address: string, port: number, ehloName: string): Connector {
  return async (timeoutMs) => {
    try {
      return (await smtpSession(address, port, { ehloName, timeoutMs, starttls: true })).socket;
    } catch (err) {
      if (err instanceof ConnectFailed) throw err;
      throw new ConnectFailed('ESMTP', (err as Error).message);
    }
  };
}
