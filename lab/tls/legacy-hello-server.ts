import type net from 'node:net';

/**
 * A lab server that speaks just enough TLS to stand in for legacy servers Node's OpenSSL cannot
 * be (SSL 2.0, SSL 3.0, RC4, EXPORT, NULL, anonymous suites, TLS compression): it reads a
 * ClientHello and answers ServerHello + Certificate + ServerHelloDone (or an SSL 2.0
 * SERVER-HELLO, or an alert), then waits for the client to hang up. It never finishes a
 * handshake, which is all a prober needs from it.
 */
export interface LegacyHelloConfig {
  /** Wire versions it accepts: 0x0002 (SSL 2.0), 0x0300 … 0x0303. */
  versions: number[];
  /** Suites it accepts; it picks the client's first choice among them (no server preference). */
  suites: number[];
  /** SSL 2.0 cipher kinds (3-byte codes) it lists in an SSL 2.0 SERVER-HELLO. */
  ssl2Ciphers?: number[];
  /** Picks DEFLATE when the client offers it. */
  compression?: boolean;
  /** DER certificates, leaf first. */
  certificates: Buffer[];
}

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const record = (type: number, version: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
const handshake = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type]), u24(body.length), body]);
const alert = (version: number, description: number) =>
  record(21, version, Buffer.from([2, description]));

/** The reply to one client hello (SSL 2.0 or SSL 3.0+ format), or null while more bytes are needed. */
export function legacyReply(config: LegacyHelloConfig, data: Buffer): Buffer | null {
  if (data.length < 5) return null;
  if (data[0]! & 0x80 && data[2] === 1) return ssl2Reply(config, data);
  const recordLength = data.readUInt16BE(3);
  if (data.length < 5 + recordLength) return null;
  const hs = data.subarray(5, 5 + recordLength);
  if (data[0] !== 22 || hs[0] !== 1) return alert(0x0301, 10);
  const body = hs.subarray(4);
  const clientVersion = body.readUInt16BE(0);
  let o = 34;
  o += 1 + body[o]!;
  const suitesLength = body.readUInt16BE(o);
  const offered: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) offered.push(body.readUInt16BE(o + 2 + i));
  o += 2 + suitesLength;
  const methods = [...body.subarray(o + 1, o + 1 + body[o]!)];
  const legacy = config.versions.filter((v) => v >= 0x0300);
  const version = Math.max(...legacy.filter((v) => v <= clientVersion));
  if (!Number.isFinite(version)) return alert(Math.min(...legacy), 70);
  const suite = offered.find((s) => config.suites.includes(s));
  if (suite === undefined) return alert(version, 40);
  const compression = config.compression && methods.includes(1) ? 1 : 0;
  const serverHello = Buffer.concat([
    u16(version),
    Buffer.alloc(32, 0x42),
    Buffer.from([0]),
    u16(suite),
    Buffer.from([compression]),
  ]);
  const chain = Buffer.concat(config.certificates.map((c) => Buffer.concat([u24(c.length), c])));
  const flight = Buffer.concat([
    handshake(2, serverHello),
    handshake(11, Buffer.concat([u24(chain.length), chain])),
    handshake(14, Buffer.alloc(0)),
  ]);
  return record(22, version, flight);
}

function ssl2Reply(config: LegacyHelloConfig, data: Buffer): Buffer | null {
  const length = data.readUInt16BE(0) & 0x7fff;
  if (data.length < 2 + length) return null;
  if (!config.versions.includes(0x0002)) return alert(0x0301, 70);
  const body = data.subarray(2, 2 + length);
  const specsLength = body.readUInt16BE(3);
  const offered: number[] = [];
  for (let i = 0; i < specsLength; i += 3) offered.push(body.readUIntBE(9 + i, 3));
  const common = (config.ssl2Ciphers ?? []).filter((c) => offered.includes(c));
  const cert = config.certificates[0] ?? Buffer.alloc(0);
  const specs = Buffer.concat(common.map((c) => Buffer.from([c >> 16, (c >> 8) & 0xff, c & 0xff])));
  const connectionId = Buffer.alloc(16, 0x24);
  const reply = Buffer.concat([
    Buffer.from([4, 0, 1]),
    u16(0x0002),
    u16(cert.length),
    u16(specs.length),
    u16(connectionId.length),
    cert,
    specs,
    connectionId,
  ]);
  return Buffer.concat([u16(0x8000 | reply.length), reply]);
}

/** Handles one connection: answers the first hello, then keeps quiet until the client leaves. */
export function handleLegacyConnection(config: LegacyHelloConfig, socket: net.Socket): void {
  let received = Buffer.alloc(0);
  let answered = false;
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    received = Buffer.concat([received, chunk]);
    if (received.length > 64 * 1024) {
      socket.destroy();
      return;
    }
    let reply: Buffer | null;
    try {
      reply = legacyReply(config, received);
    } catch {
      reply = alert(0x0301, 50);
    }
    if (reply) {
      answered = true;
      socket.write(reply);
    }
  });
}
