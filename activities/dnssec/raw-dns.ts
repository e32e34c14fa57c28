// Node's resolver has no DS or DNSKEY methods and hides the AD flag, so DNSSEC questions go out
// as raw packets (dns-packet) to the scanners' configured server: UDP first, TCP on truncation.
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsServerAddress {
  host: string;
  port: number;
}

/**
 * Parses an entry of `Resolver#getServers()`: '1.2.3.4', '1.2.3.4:53', '::1' or '[::1]:53'.
 * Undefined when it is none of those.
 */
export function parseServerAddress(server: string): DnsServerAddress | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) {
    return net.isIPv6(bracketed[1]!)
      ? { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) }
      : undefined;
  }
  if (net.isIPv6(server)) return { host: server, port: 53 };
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(server);
  if (v4 && net.isIPv4(v4[1]!)) return { host: v4[1]!, port: Number(v4[2] ?? 53) };
  return undefined;
}

export interface RawQueryOptions {
  /** Set the EDNS DO bit: ask for DNSSEC records and the resolver's validation verdict. */
  dnssecOk?: boolean;
  /** Set CD: ask a validating resolver to hand out data even if validation fails. */
  checkingDisabled?: boolean;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first one (timeouts and socket errors only). */
  retries: number;
}

export interface RawResponse {
  rcode: string;
  /** AD: the resolver validated the answer (RFC 4035 §3.2.3). */
  authenticated: boolean;
  authoritative: boolean;
  answers: dnsPacket.Answer[];
  authorities: dnsPacket.Answer[];
  transport: 'udp' | 'tcp';
}

export type RawResult =
  { ok: true; response: RawResponse } | { ok: false; code: string; message: string };

const EDNS_PAYLOAD = 1232;

function buildQuery(
  name: string,
  type: dnsPacket.RecordType,
  options: RawQueryOptions,
): dnsPacket.Packet {
  return {
    type: 'query',
    id: randomInt(0, 0x10000),
    flags:
      dnsPacket.RECURSION_DESIRED | (options.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name, type, class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: EDNS_PAYLOAD,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
        flag_do: options.dnssecOk ?? false,
        options: [],
      },
    ],
  };
}

/** Whether `reply` answers `query`: same id and question. */
function matches(query: dnsPacket.Packet, reply: dnsPacket.DecodedPacket): boolean {
  const q = query.questions![0]!;
  const r = reply.questions?.[0];
  return (
    reply.type === 'response' &&
    reply.id === query.id &&
    r !== undefined &&
    r.type === q.type &&
    r.name.toLowerCase() === q.name.toLowerCase()
  );
}

function toResponse(reply: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp'): RawResponse {
  return {
    rcode: (reply as { rcode?: string }).rcode ?? 'NOERROR',
    authenticated: reply.flag_ad ?? false,
    authoritative: reply.flag_aa ?? false,
    answers: reply.answers ?? [],
    authorities: reply.authorities ?? [],
    transport,
  };
}

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function udpAttempt(
  server: DnsServerAddress,
  query: dnsPacket.Packet,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const finish = (error: Error | undefined, reply?: dnsPacket.DecodedPacket) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => finish(new QueryError('ETIMEOUT', `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(new QueryError(error.code ?? 'ESOCKET', error.message)),
    );
    socket.on('message', (message) => {
      let reply: dnsPacket.DecodedPacket;
      try {
        reply = dnsPacket.decode(message);
      } catch {
        return; // garbage is not an answer: keep waiting
      }
      if (matches(query, reply)) finish(undefined, reply);
    });
    socket.send(dnsPacket.encode(query), server.port, server.host, (error) => {
      if (error)
        finish(new QueryError((error as NodeJS.ErrnoException).code ?? 'ESOCKET', error.message));
    });
  });
}

function tcpAttempt(
  server: DnsServerAddress,
  query: dnsPacket.Packet,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const socket = net.connect({ host: server.host, port: server.port });
    const finish = (error: Error | undefined, reply?: dnsPacket.DecodedPacket) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => finish(new QueryError('ETIMEOUT', `no TCP answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(query)));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(new QueryError(error.code ?? 'ESOCKET', error.message)),
    );
    socket.on('close', () => finish(new QueryError('ECONNRESET', 'closed before an answer')));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const frame = pending.subarray(0, 2 + length);
        pending = pending.subarray(2 + length);
        try {
          const reply = dnsPacket.streamDecode(frame) as dnsPacket.DecodedPacket | null;
          if (reply && matches(query, reply)) return finish(undefined, reply);
        } catch {
          return finish(new QueryError('EBADRESP', 'malformed TCP answer'));
        }
      }
    });
  });
}

/**
 * One question to one server, with EDNS: over UDP, then over TCP if the answer is truncated.
 * A timeout or socket error is retried `retries` times; an answer with any rcode is a result.
 */
export async function rawQuery(
  server: DnsServerAddress,
  name: string,
  type: dnsPacket.RecordType,
  options: RawQueryOptions,
): Promise<RawResult> {
  let last: QueryError = new QueryError('ETIMEOUT', 'not asked');
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    const query = buildQuery(name, type, options);
    try {
      const reply = await udpAttempt(server, query, options.timeoutMs);
      if (!reply.flag_tc) return { ok: true, response: toResponse(reply, 'udp') };
      const full = await tcpAttempt(server, query, options.timeoutMs);
      return { ok: true, response: toResponse(full, 'tcp') };
    } catch (error) {
      last =
        error instanceof QueryError ? error : new QueryError('EUNKNOWN', (error as Error).message);
    }
  }
  return { ok: false, code: last.code, message: last.message };
}
