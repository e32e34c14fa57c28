/**
 * Hand-built ClientHello messages and a parser for what a server answers. Written by hand on
 * purpose: Node's OpenSSL can neither offer SSL 2.0/3.0 nor most weak suites (RC4, EXPORT, NULL,
 * 3DES), and a scanner's findings must not depend on what the local TLS library agrees to send.
 * Only the first flight is built and read; no handshake is ever finished, so no keys are needed.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SSL2_CIPHERS } from './cipher-suites';

export const ProtocolVersions = ['ssl2', 'ssl3', 'tls1.0', 'tls1.1', 'tls1.2', 'tls1.3'] as const;
export type ProtocolVersion = (typeof ProtocolVersions)[number];

export const WIRE_VERSION: Record<ProtocolVersion, number> = {
  ssl2: 0x0002,
  ssl3: 0x0300,
  'tls1.0': 0x0301,
  'tls1.1': 0x0302,
  'tls1.2': 0x0303,
  'tls1.3': 0x0304,
};

export function versionName(wire: number): ProtocolVersion | undefined {
  return ProtocolVersions.find((v) => WIRE_VERSION[v] === wire);
}

export const EXT = {
  serverName: 0,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  sessionTicket: 35,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

const SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203,
  0x0201, 0x0402, 0x0202,
];

export const DEFAULT_GROUPS = [
  0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0016, 0x0015,
  0x0013,
];

export interface ClientHelloOptions {
  version: Exclude<ProtocolVersion, 'ssl2'>;
  suites: number[];
  /** Server Name Indication; omitted for IP addresses. */
  sni?: string;
  groups?: number[];
  /** TLS 1.3: send an x25519 key share when x25519 is offered (otherwise the server must ask for one). */
  keyShare?: boolean;
  /** Compression methods, by preference; `[0]` (none) by default. */
  compression?: number[];
  /** No extensions at all (SSL 3.0 servers may choke on them). */
  noExtensions?: boolean;
}

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const list16 = (xs: number[]) => vec16(Buffer.concat(xs.map(u16)));
const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

let x25519Public: Buffer | undefined;
function x25519KeyShare(): Buffer {
  // One key for the process: the handshake is never finished, so the secret never matters.
  if (!x25519Public) {
    const { publicKey } = generateKeyPairSync('x25519');
    x25519Public = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
  }
  return x25519Public;
}

/** A ClientHello for SSL 3.0 to TLS 1.3, wrapped in one handshake record. */
export function buildClientHello(o: ClientHelloOptions): Buffer {
  const tls13 = o.version === 'tls1.3';
  const groups = o.groups ?? DEFAULT_GROUPS;
  const extensions: Buffer[] = [];
  if (!o.noExtensions) {
    if (o.sni) {
      const name = Buffer.from(o.sni, 'ascii');
      extensions.push(ext(EXT.serverName, vec16(Buffer.concat([u8(0), vec16(name)]))));
    }
    extensions.push(ext(EXT.supportedGroups, list16(groups)));
    extensions.push(ext(EXT.ecPointFormats, vec8(Buffer.from([0]))));
    extensions.push(ext(EXT.signatureAlgorithms, list16(SIGNATURE_ALGORITHMS)));
    // status_request for OCSP: type ocsp, no responder ids, no extensions.
    extensions.push(ext(EXT.statusRequest, Buffer.from([1, 0, 0, 0, 0])));
    extensions.push(ext(EXT.extendedMasterSecret, Buffer.alloc(0)));
    extensions.push(ext(EXT.sessionTicket, Buffer.alloc(0)));
    extensions.push(ext(EXT.renegotiationInfo, vec8(Buffer.alloc(0))));
    if (tls13) {
      extensions.push(ext(EXT.supportedVersions, vec8(u16(WIRE_VERSION['tls1.3']))));
      extensions.push(ext(EXT.pskKeyExchangeModes, vec8(Buffer.from([1]))));
      const shares =
        o.keyShare !== false && groups.includes(0x001d)
          ? Buffer.concat([u16(0x001d), vec16(x25519KeyShare())])
          : Buffer.alloc(0);
      extensions.push(ext(EXT.keyShare, vec16(shares)));
    }
  }
  const clientVersion = tls13 ? WIRE_VERSION['tls1.2'] : WIRE_VERSION[o.version];
  const body = Buffer.concat([
    u16(clientVersion),
    randomBytes(32),
    // TLS 1.3 middlebox compatibility mode sends a session id; harmless elsewhere.
    tls13 ? vec8(randomBytes(32)) : u8(0),
    list16(o.suites),
    vec8(Buffer.from(o.compression ?? [0])),
    ...(extensions.length ? [vec16(Buffer.concat(extensions))] : []),
  ]);
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  // Record version: SSL 3.0 for SSL 3.0, TLS 1.0 otherwise (what real clients send).
  const recordVersion = o.version === 'ssl3' ? 0x0300 : 0x0301;
  return Buffer.concat([u8(22), u16(recordVersion), vec16(handshake)]);
}

/** An SSL 2.0 CLIENT-HELLO (the SSLv2 record format), offering every SSL 2.0 cipher kind. */
export function buildSsl2ClientHello(): Buffer {
  const specs = Buffer.concat(
    Object.keys(SSL2_CIPHERS).map((k) =>
      Buffer.from([(+k >> 16) & 0xff, (+k >> 8) & 0xff, +k & 0xff]),
    ),
  );
  const challenge = randomBytes(16);
  const body = Buffer.concat([
    u8(1),
    u16(0x0002),
    u16(specs.length),
    u16(0),
    u16(challenge.length),
    specs,
    challenge,
  ]);
  return Buffer.concat([u16(0x8000 | body.length), body]);
}

/** SHA-256("HelloRetryRequest"): the random of a ServerHello that is really a HelloRetryRequest. */
export const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();
