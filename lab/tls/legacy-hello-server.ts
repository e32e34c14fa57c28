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
  /** DER certificates, leaf first; none: no Certificate message (anonymous suites only). */
  certificates: Buffer[];
  /** DHE prime size sent in ServerKeyExchange for DHE suites (2048 by default). */
  dhBits?: number;
  /** ECDHE groups it accepts, for ECDHE suites (secp256r1 by default). */
  groups?: number[];
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
  o += 1 + body[o]!;
  const clientGroups = readSupportedGroups(body, o);
  const legacy = config.versions.filter((v) => v >= 0x0300);
  const version = Math.max(...legacy.filter((v) => v <= clientVersion));
  if (!Number.isFinite(version)) return alert(Math.min(...legacy), 70);
  // Suites whose ServerKeyExchange names a curve (ECDHE and ECDH_anon).
  const ecdhe = (s: number) =>
    (s >= 0xc006 && s <= 0xc00a) ||
    (s >= 0xc010 && s <= 0xc019) ||
    [0xc023, 0xc024, 0xc027, 0xc028, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9].includes(s);
  const groups = config.groups ?? [0x0017];
  const group = clientGroups.find((g) => groups.includes(g));
  const suite = offered.find(
    (s) => config.suites.includes(s) && (!ecdhe(s) || group !== undefined),
  );
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
  // ServerKeyExchange with made-up values: the prober reads the group or prime size, nothing more.
  const dhe = [0x0033, 0x0039, 0x0067, 0x006b, 0x009e, 0x009f, 0x0016].includes(suite);
  const dhBytes = Math.ceil((config.dhBits ?? 2048) / 8);
  const keyExchange = ecdhe(suite)
    ? Buffer.concat([Buffer.from([3]), u16(group!), Buffer.from([65, 4]), Buffer.alloc(64, 7)])
    : dhe
      ? Buffer.concat([
          u16(dhBytes),
          Buffer.alloc(dhBytes, 0xff),
          u16(1),
          Buffer.from([2]),
          u16(dhBytes),
          Buffer.alloc(dhBytes, 9),
        ])
      : undefined;
  const flight = Buffer.concat([
    handshake(2, serverHello),
    ...(config.certificates.length
      ? [handshake(11, Buffer.concat([u24(chain.length), chain]))]
      : []),
    ...(keyExchange ? [handshake(12, keyExchange)] : []),
    handshake(14, Buffer.alloc(0)),
  ]);
  return record(22, version, flight);
}

/** The client's supported_groups (empty when it sent none). */
function readSupportedGroups(body: Buffer, offset: number): number[] {
  if (offset + 2 > body.length) return [];
  const end = offset + 2 + body.readUInt16BE(offset);
  let o = offset + 2;
  while (o + 4 <= end) {
    const type = body.readUInt16BE(o);
    const length = body.readUInt16BE(o + 2);
    if (type === 10) {
      const groups: number[] = [];
      for (let i = 2; i < length; i += 2) groups.push(body.readUInt16BE(o + 4 + i));
      return groups;
    }
    o += 4 + length;
  }
  return [];
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
