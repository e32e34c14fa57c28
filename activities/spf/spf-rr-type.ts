import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { LookupResult } from '../common/dns-lookup';

/**
 * Asks for the obsolete SPF resource record (type 99) with a raw query: Node's resolver has no
 * method for it. Sent to the scanners' own resolver, over UDP with a TCP retry on truncation.
 */
export async function querySpfRrType(
  server: string,
  name: string,
  timeoutMs: number,
): Promise<LookupResult<string>> {
  const target = parseServer(server);
  if (!target) {
    return unknown('EBADSERVER', `cannot read resolver address "${server}"`);
  }
  const id = Math.floor(Math.random() * 0xffff);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    // The typings omit type 99, which dns-packet itself knows by name.
    questions: [{ type: 'SPF' as dnsPacket.RecordType, name, class: 'IN' }],
  });
  try {
    let response = await udpExchange(target, query, id, timeoutMs);
    if (response.flag_tc) response = await tcpExchange(target, query, id, timeoutMs);
    return interpret(response);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return unknown(e.code ?? 'EUNKNOWN', e.message);
  }
}

type Decoded = dnsPacket.DecodedPacket & { rcode?: string };

function interpret(response: Decoded): LookupResult<string> {
  const rcode = response.rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') return { status: 'nxdomain', records: [] };
  if (rcode !== 'NOERROR') return unknown(`E${rcode}`, `the resolver answered ${rcode}`);
  const records = (response.answers ?? [])
    .filter((a) => (a.type as string) === 'SPF')
    .map((a) => characterStrings((a as { data: Buffer }).data).join(''));
  return { status: records.length > 0 ? 'ok' : 'nodata', records };
}

/** RDATA of a TXT-like record: length-prefixed strings. */
export function characterStrings(data: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length;) {
    const length = data[i]!;
    out.push(data.subarray(i + 1, i + 1 + length).toString('utf8'));
    i += 1 + length;
  }
  return out;
}

function unknown(code: string, message: string): LookupResult<string> {
  return { status: 'unknown', records: [], error: { code, message } };
}

/** `getServers()` entries: "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53". */
export function parseServer(server: string): { host: string; port: number } | undefined {
  if (isIP(server)) return { host: server, port: 53 };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(server);
  if (bracketed && isIP(bracketed[1]!)) return { host: bracketed[1]!, port: Number(bracketed[2]) };
  const hostPort = /^([^:]+):(\d+)$/.exec(server);
  if (hostPort && isIP(hostPort[1]!)) return { host: hostPort[1]!, port: Number(hostPort[2]) };
  return undefined;
}

function timeoutError(): NodeJS.ErrnoException {
  return Object.assign(new Error('no answer before the timeout'), { code: 'ETIMEOUT' });
}

function udpExchange(
  target: { host: string; port: number },
  query: Buffer,
  id: number,
  timeoutMs: number,
): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      socket.close();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(timeoutError())), timeoutMs);
    socket.on('error', (err) => finish(() => reject(err)));
    socket.on('message', (message) => {
      try {
        const decoded = dnsPacket.decode(message) as Decoded;
        if (decoded.id !== id) return; // a stray answer: keep waiting for ours
        finish(() => resolve(decoded));
      } catch (err) {
        finish(() => reject(err));
      }
    });
    // Connected, so an ICMP "port unreachable" surfaces as an error instead of a timeout.
    socket.connect(target.port, target.host, () => socket.send(query));
  });
}

function tcpExchange(
  target: { host: string; port: number },
  query: Buffer,
  id: number,
  timeoutMs: number,
): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const socket = net.connect(target.port, target.host, () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(timeoutError());
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      clearTimeout(timer);
      socket.end();
      try {
        const decoded = dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        if (decoded.id !== id) throw new Error('answer with another id');
        resolve(decoded as Decoded);
      } catch (err) {
        reject(err);
      }
    });
  });
}
