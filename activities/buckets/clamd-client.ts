/**
 * A clamd client for the two commands the scanner needs: INSTREAM and VERSION. Hand-written: the
 * protocol is a few lines (zINSTREAM, 4-byte big-endian length-prefixed chunks, a zero chunk) and
 * the npm clients either buffer the whole object or hide clamd's size-limit reply behind a generic
 * error; here the object streams with backpressure and every reply has a typed outcome.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';

/** clamd could not be reached or broke off: retryable. */
export class ClamdUnavailable extends Error {
  override readonly name = 'ClamdUnavailable';
}

export type ClamdAddress = { host: string; port: number } | { path: string };

/** `host:port`, `[v6]:port`, or an absolute path to clamd's Unix socket. */
export function parseClamdAddress(value: string): ClamdAddress {
  if (value.startsWith('/')) return { path: value };
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (!m) throw new Error(`clamd address "${value}": expected host:port or /path/to/clamd.sock`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export interface ClamdVersion {
  /** "ClamAV 1.4.6/27500/Sun Nov 22 09:25:03 2026" as clamd says it. */
  raw: string;
  engine: string;
  /** The signature database version (daily.cvd or a local .cud), null when none is loaded. */
  databaseVersion: number | null;
  databaseTime: Date | null;
}

export function parseClamdVersion(raw: string): ClamdVersion {
  const [engine, db, time] = raw.trim().split('/');
  const parsedTime = time ? new Date(time) : null;
  return {
    raw: raw.trim(),
    engine: engine.replace(/^ClamAV\s+/, ''),
    databaseVersion: db && /^\d+$/.test(db) ? Number(db) : null,
    databaseTime: parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : null,
  };
}

export type ClamdVerdict =
  | { status: 'clean' }
  | { status: 'infected'; signatures: string[] }
  /** clamd refused the stream as longer than its StreamMaxLength. */
  | { status: 'too-large' };

/** Thrown when clamd answers with an error other than the size limit. */
export class ClamdError extends Error {
  override readonly name = 'ClamdError';
}

export function parseInstreamReply(reply: string): ClamdVerdict {
  const text = reply.replace(/\0/g, '').trim();
  if (text === 'stream: OK') return { status: 'clean' };
  if (/size limit exceeded/i.test(text)) return { status: 'too-large' };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { status: 'infected', signatures: [found[1]] };
  throw new ClamdError(`clamd: ${text || 'no reply'}`);
}

/** Size of the INSTREAM chunks sent to clamd (its default StreamMaxLength is 100 MB). */
const CHUNK_BYTES = 256 * 1024;

export class ClamdClient {
  constructor(
    private readonly address: ClamdAddress,
    private readonly timeoutMs = 120_000,
  ) {}

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.address as net.NetConnectOpts);
      socket.setTimeout(this.timeoutMs);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
      const onError = (err: Error) =>
        reject(new ClamdUnavailable(`clamd unreachable: ${err.message}`));
      socket.once('error', onError);
    });
  }

  /** Sends `command` and collects the whole reply until clamd closes the connection. */
  private async roundTrip(socket: net.Socket, send: () => Promise<void>): Promise<string> {
    const chunks: Buffer[] = [];
    const done = new Promise<string>((resolve, reject) => {
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('timeout', () =>
        socket.destroy(new ClamdUnavailable(`clamd silent for ${this.timeoutMs} ms`)),
      );
      socket.on('error', (err) => {
        // clamd may answer (its size limit) and hang up while we still write: keep the answer.
        if (chunks.length) return resolve(Buffer.concat(chunks).toString('utf8'));
        reject(err instanceof ClamdUnavailable ? err : new ClamdUnavailable(err.message));
      });
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    // A failed write surfaces through `done` (the socket errors or closes).
    send().catch((err: Error) => socket.destroy(err));
    return done;
  }

  async version(): Promise<ClamdVersion> {
    const socket = await this.connect();
    const reply = await this.roundTrip(socket, async () => {
      socket.end('zVERSION\0');
    });
    if (!reply.startsWith('ClamAV')) throw new ClamdError(`clamd VERSION: ${reply}`);
    return parseClamdVersion(reply.replace(/\0/g, ''));
  }

  /**
   * Streams `body` to clamd. Stops reading once more than `maxBytes` arrived (→ too-large), so an
   * object never has to fit in memory or on disk.
   */
  async scanStream(body: Readable, maxBytes: number): Promise<ClamdVerdict & { bytes: number }> {
    const socket = await this.connect();
    let bytes = 0;
    let overLimit = false;
    const write = (buf: Buffer) =>
      new Promise<void>((resolve, reject) => {
        if (socket.destroyed) return reject(new ClamdUnavailable('clamd closed the connection'));
        if (socket.write(buf)) resolve();
        else {
          const onDrain = () => {
            socket.off('close', onClose);
            resolve();
          };
          const onClose = () => {
            socket.off('drain', onDrain);
            reject(new ClamdUnavailable('clamd closed the connection'));
          };
          socket.once('drain', onDrain);
          socket.once('close', onClose);
        }
      });
    const reply = await this.roundTrip(socket, async () => {
      await write(Buffer.from('zINSTREAM\0'));
      // S3 bodies arrive in 16-64 KiB pieces; clamd is sent fewer, larger chunks.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (!pendingBytes) return;
        const header = Buffer.alloc(4);
        header.writeUInt32BE(pendingBytes);
        await write(Buffer.concat([header, ...pending]));
        pending = [];
        pendingBytes = 0;
      };
      for await (const chunk of body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          overLimit = true;
          body.destroy();
          socket.destroy();
          return;
        }
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      await flush();
      socket.end(Buffer.alloc(4));
    });
    if (overLimit) return { status: 'too-large', bytes };
    return { ...parseInstreamReply(reply), bytes };
  }
}
