/**
 * Reads a server's first flight (ServerHello … ServerHelloDone, or an alert, or an SSL 2.0
 * SERVER-HELLO) from the bytes received so far. Hand-written for the same reason as the
 * ClientHello builder: the local TLS library cannot be asked what a legacy server answered.
 */
import { EXT, HRR_RANDOM, versionName, type ProtocolVersion } from './client-hello';
import { SSL2_CIPHERS } from './cipher-suites';

export interface ServerHelloInfo {
  /** Negotiated version (from supported_versions in TLS 1.3). */
  version: ProtocolVersion | undefined;
  wireVersion: number;
  suite: number;
  compression: number;
  /** Extension types the server sent in its ServerHello. */
  extensions: number[];
  helloRetry: boolean;
  /** TLS 1.3: the group of the key share (or the one a HelloRetryRequest asks for). */
  keyShareGroup?: number;
}

export type ServerReply =
  | {
      kind: 'hello';
      hello: ServerHelloInfo;
      /** DER certificates in the order sent (TLS ≤ 1.2 only: 1.3 encrypts them). */
      certificates: Buffer[];
      /** ECDHE named group or DHE prime size from ServerKeyExchange. */
      keyExchange?: { group?: number; dhBits?: number };
      /** A CertificateStatus message (stapled OCSP) came with the flight. */
      ocspStapled: boolean;
    }
  | { kind: 'ssl2-hello'; ciphers: string[]; certificates: Buffer[] }
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'garbage'; detail: string };

/** `undefined`: more bytes needed. */
export function parseServerReply(buf: Buffer, sentSsl2 = false): ServerReply | undefined {
  if (buf.length === 0) return undefined;
  if (sentSsl2 && buf[0]! & 0x80 && buf.length >= 3 && buf[2] === 4) return parseSsl2(buf);
  let offset = 0;
  const handshake: Buffer[] = [];
  while (offset + 5 <= buf.length) {
    const type = buf[offset]!;
    const length = buf.readUInt16BE(offset + 3);
    if (type < 20 || type > 23 || buf[offset + 1] !== 3 || length > 18432) {
      return {
        kind: 'garbage',
        detail: `not a TLS record (first bytes ${buf.subarray(offset, offset + 5).toString('hex')})`,
      };
    }
    if (offset + 5 + length > buf.length) break;
    const fragment = buf.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
    if (type === 21) {
      if (fragment.length < 2) return { kind: 'garbage', detail: 'short alert' };
      return { kind: 'alert', level: fragment[0]!, description: fragment[1]! };
    }
    if (type === 22) handshake.push(fragment);
    else if (handshake.length === 0) {
      return { kind: 'garbage', detail: `record type ${type} before any handshake` };
    }
    const done = parseHandshakes(Buffer.concat(handshake));
    if (done) return done;
  }
  return undefined;
}

function parseHandshakes(data: Buffer): ServerReply | undefined {
  let offset = 0;
  let hello: ServerHelloInfo | undefined;
  let certificates: Buffer[] = [];
  let keyExchange: { group?: number; dhBits?: number } | undefined;
  let ocspStapled = false;
  while (offset + 4 <= data.length) {
    const type = data[offset]!;
    const length = data.readUIntBE(offset + 1, 3);
    if (offset + 4 + length > data.length) return undefined;
    const body = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    try {
      if (type === 2) {
        hello = parseServerHello(body);
        if (hello.version === 'tls1.3' || hello.helloRetry) {
          return { kind: 'hello', hello, certificates, ocspStapled };
        }
      } else if (type === 11) {
        certificates = parseCertificateList(body);
      } else if (type === 12 && hello) {
        keyExchange = parseKeyExchange(body);
      } else if (type === 22) {
        ocspStapled = true;
      } else if (type === 14) {
        if (!hello) return { kind: 'garbage', detail: 'ServerHelloDone without ServerHello' };
        return { kind: 'hello', hello, certificates, keyExchange, ocspStapled };
      }
    } catch (err) {
      return {
        kind: 'garbage',
        detail: `malformed handshake message ${type}: ${(err as Error).message}`,
      };
    }
  }
  return undefined;
}

function parseServerHello(b: Buffer): ServerHelloInfo {
  let wireVersion = b.readUInt16BE(0);
  const random = b.subarray(2, 34);
  const sidLength = b[34]!;
  let o = 35 + sidLength;
  const suite = b.readUInt16BE(o);
  const compression = b[o + 2]!;
  o += 3;
  const extensions: number[] = [];
  let keyShareGroup: number | undefined;
  if (o + 2 <= b.length) {
    const end = o + 2 + b.readUInt16BE(o);
    o += 2;
    while (o + 4 <= end) {
      const type = b.readUInt16BE(o);
      const len = b.readUInt16BE(o + 2);
      const body = b.subarray(o + 4, o + 4 + len);
      extensions.push(type);
      if (type === EXT.supportedVersions && len >= 2) wireVersion = body.readUInt16BE(0);
      if (type === EXT.keyShare && len >= 2) keyShareGroup = body.readUInt16BE(0);
      o += 4 + len;
    }
  }
  if (o > b.length) throw new RangeError('ServerHello longer than its message');
  return {
    version: versionName(wireVersion),
    wireVersion,
    suite,
    compression,
    extensions,
    helloRetry: random.equals(HRR_RANDOM),
    keyShareGroup,
  };
}

function parseCertificateList(b: Buffer): Buffer[] {
  const total = b.readUIntBE(0, 3);
  const certs: Buffer[] = [];
  let o = 3;
  while (o + 3 <= 3 + total && o + 3 <= b.length) {
    const len = b.readUIntBE(o, 3);
    certs.push(Buffer.from(b.subarray(o + 3, o + 3 + len)));
    o += 3 + len;
  }
  return certs;
}

function parseKeyExchange(b: Buffer): { group?: number; dhBits?: number } {
  // ECDHE: curve_type named_curve(3), then the group. DHE: p, g, Ys as 16-bit vectors.
  if (b[0] === 3 && b.length >= 4) return { group: b.readUInt16BE(1) };
  if (b.length >= 2) {
    const pLength = b.readUInt16BE(0);
    let p = b.subarray(2, 2 + pLength);
    while (p.length > 0 && p[0] === 0) p = p.subarray(1);
    const bits = p.length > 0 ? (p.length - 1) * 8 + (32 - Math.clz32(p[0]!)) : 0;
    return { dhBits: bits };
  }
  return {};
}

function parseSsl2(buf: Buffer): ServerReply | undefined {
  const threeByte = (buf[0]! & 0x80) === 0;
  const headerLength = threeByte ? 3 : 2;
  const length = threeByte ? buf.readUInt16BE(0) & 0x3fff : buf.readUInt16BE(0) & 0x7fff;
  if (buf.length < headerLength + length) return undefined;
  const b = buf.subarray(headerLength, headerLength + length);
  if (b.length < 11 || b[0] !== 4)
    return { kind: 'garbage', detail: 'not an SSL 2.0 SERVER-HELLO' };
  const certLength = b.readUInt16BE(5);
  const specsLength = b.readUInt16BE(7);
  const cert = b.subarray(11, 11 + certLength);
  const specs = b.subarray(11 + certLength, 11 + certLength + specsLength);
  const ciphers: string[] = [];
  for (let i = 0; i + 3 <= specs.length; i += 3) {
    const code = specs.readUIntBE(i, 3);
    ciphers.push(SSL2_CIPHERS[code] ?? `0x${code.toString(16).padStart(6, '0')}`);
  }
  return { kind: 'ssl2-hello', ciphers, certificates: cert.length ? [Buffer.from(cert)] : [] };
}

export const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  47: 'illegal_parameter',
  50: 'decode_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
};
