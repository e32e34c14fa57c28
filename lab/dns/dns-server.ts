import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import {
  isAtOrBelow,
  type DomainName,
  type NameRecord,
  type Zone,
  type ZoneRecord,
} from './zone-file';

export interface LabDnsServerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port for both UDP and TCP. Default 0: an ephemeral port, the same for both. */
  port?: number;
  zones: Zone[];
  /** Called after each answered query (tests use it to see which transport served what). */
  onQuery?: (event: LabDnsQueryEvent) => void;
  /**
   * Milliseconds to hold a UDP answer back (a slow or distant server); 0 answers at once. Tests
   * use it to catch a scan while its DNS activity is still running.
   */
  udpDelayMs?: (query: { name: string; type: string }) => number;
  /**
   * Lab emulation of a validating resolver's DNSSEC verdict (default true); see
   * `ZoneSet#dnssecStatus`. The lab signs nothing: this only sets AD and SERVFAIL as one would.
   */
  emulateDnssecValidation?: boolean;
}

export interface LabDnsQueryEvent {
  transport: 'udp' | 'tcp';
  /** As the client spelled it (no trailing dot). */
  name: string;
  type: string;
  /** 'NOERROR', 'NXDOMAIN', 'REFUSED', ... */
  rcode: string;
  /** A UDP answer was too large and went out with TC and no records. */
  truncated: boolean;
}

export interface LabDnsServer {
  host: string;
  port: number;
  /** 'host:port' ('[host]:port' for IPv6), ready for Resolver#setServers. */
  address: string;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const RCODE_NAMES = Object.fromEntries(Object.entries(RCODE).map(([k, v]) => [v, k]));
const CLASSIC_UDP_LIMIT = 512; // RFC 1035 §4.2.1, when the client sent no OPT record
const ADVERTISED_UDP_PAYLOAD = 1232; // the DNS Flag Day 2020 value
const MAX_CNAME_CHAIN = 16;
const TCP_IDLE_TIMEOUT_MS = 30_000;
const BIND_ATTEMPTS = 8;

/** A zone indexed for lookups: records by owner, and every name that exists (ENTs included). */
interface IndexedZone {
  zone: Zone;
  /** Normalised apex. */
  origin: DomainName;
  soa: Extract<ZoneRecord, { type: 'SOA' }>;
  byName: Map<DomainName, ZoneRecord[]>;
  existing: Set<DomainName>;
}

/**
 * What a validating resolver would conclude about a served zone: `secure` (chain validates: AD),
 * `insecure` (no chain: plain answers) or `bogus` (chain broken: SERVFAIL unless CD is set).
 */
export type LabDnssecStatus = 'secure' | 'insecure' | 'bogus';

/** An apex TXT with this exact text marks a zone as bogus (e.g. expired signatures). */
export const LAB_DNSSEC_BOGUS_TXT = 'lab-dnssec=bogus';

export interface DnsAnswer {
  rcode: number;
  authoritative: boolean;
  answers: dnsPacket.Answer[];
  authorities: dnsPacket.Answer[];
}

/** Authoritative lookup over a fixed set of zones; exported for tests and the lab's tooling. */
export class ZoneSet {
  private readonly zones: IndexedZone[];

  constructor(zones: Zone[]) {
    const indexed = zones.map(indexZone);
    const origins = new Set<string>();
    for (const z of indexed) {
      if (origins.has(z.origin)) throw new Error(`zone '${z.origin}' is served twice`);
      origins.add(z.origin);
    }
    // Longest origin first, so a child zone wins over its parent.
    this.zones = indexed.sort((a, b) => b.origin.length - a.origin.length);
  }

  private findZone(name: DomainName): IndexedZone | undefined {
    return this.zones.find((z) => isAtOrBelow(name, z.origin));
  }

  /**
   * The zone that answers a question. DS lives on the parent side of a cut (RFC 4035 §3.1.4.1):
   * a zone apex's DS comes from the served parent when it delegates the name; otherwise the
   * child answers (NODATA), as a server holding only the child would.
   */
  private zoneFor(name: DomainName, qtype: string): IndexedZone | undefined {
    const zone = this.findZone(name);
    if (qtype !== 'DS' || zone === undefined || zone.origin !== name) return zone;
    const parent = this.parentZone(zone);
    return parent !== undefined && parent.existing.has(name) ? parent : zone;
  }

  /** The served zone that delegates `zone` (its closest enclosing served zone), if any. */
  private parentZone(zone: IndexedZone): IndexedZone | undefined {
    return this.zones.find((z) => z !== zone && isAtOrBelow(zone.origin, z.origin));
  }

  /**
   * LAB EMULATION, not DNSSEC: the lab signs nothing and validates nothing. This is the verdict a
   * validating resolver would reach for the zone serving `qname`, from what the zones say:
   * - an apex TXT `lab-dnssec=bogus` makes the zone bogus (stands in for bad signatures);
   * - below a served parent, the parent's verdict carries down: a bogus parent makes the child
   *   bogus, an insecure one makes it insecure; under a secure parent, a DS for the child makes
   *   it secure if the child has a DNSKEY at its apex and bogus if not; no DS: insecure;
   * - a zone whose parent the lab does not serve (e.g. `perimeter.test`) is taken to have a DS
   *   there exactly when it has a DNSKEY at its apex: secure then, else insecure.
   * The zone judged is the one answering `qtype` at `qname`. Undefined outside the served zones.
   */
  dnssecStatus(qname: string, qtype: string): LabDnssecStatus | undefined {
    const zone = this.zoneFor(normalize(qname), qtype);
    return zone === undefined ? undefined : this.zoneDnssecStatus(zone);
  }

  private zoneDnssecStatus(zone: IndexedZone): LabDnssecStatus {
    const apex = zone.byName.get(zone.origin) ?? [];
    const bogusMark = apex.some(
      (r) => r.type === 'TXT' && r.data.join('') === LAB_DNSSEC_BOGUS_TXT,
    );
    if (bogusMark) return 'bogus';
    const signed = apex.some((r) => r.type === 'DNSKEY');
    const parent = this.parentZone(zone);
    if (parent === undefined) return signed ? 'secure' : 'insecure';
    const parentStatus = this.zoneDnssecStatus(parent);
    if (parentStatus !== 'secure') return parentStatus;
    const ds = (parent.byName.get(zone.origin) ?? []).some((r) => r.type === 'DS');
    if (!ds) return 'insecure';
    return signed ? 'secure' : 'bogus';
  }

  /** Answers one question. `qname` keeps the client's spelling for the answer owner names. */
  answer(qname: string, qtype: string): DnsAnswer {
    const answers: dnsPacket.Answer[] = [];
    let name = normalize(qname);
    let owner = qname.replace(/\.$/, '');
    let zone = this.zoneFor(name, qtype);
    if (zone === undefined) {
      return { rcode: RCODE.REFUSED, authoritative: false, answers, authorities: [] };
    }
    const visited = new Set<string>();
    for (let step = 0; step < MAX_CNAME_CHAIN; step++) {
      visited.add(name);
      const found = lookup(zone, name);
      if (found === undefined) {
        // RFC 6604: after a CNAME the rcode describes the last name in the chain.
        return {
          rcode: RCODE.NXDOMAIN,
          authoritative: true,
          answers,
          authorities: [negativeSoa(zone)],
        };
      }
      const matching = qtype === 'ANY' ? found : found.filter((r) => r.type === qtype);
      if (matching.length > 0) {
        answers.push(...matching.map((r) => toAnswer(r, owner)));
        return { rcode: RCODE.NOERROR, authoritative: true, answers, authorities: [] };
      }
      const cname = found.find((r): r is NameRecord => r.type === 'CNAME');
      if (cname === undefined || qtype === 'CNAME') break;
      answers.push(toAnswer(cname, owner));
      const target = normalize(cname.data);
      const targetZone = this.findZone(target);
      // Out of our zones (the resolver chases it) or a loop: stop with what we have.
      if (targetZone === undefined || visited.has(target)) {
        return { rcode: RCODE.NOERROR, authoritative: true, answers, authorities: [] };
      }
      zone = targetZone;
      name = target;
      owner = target;
    }
    return { rcode: RCODE.NOERROR, authoritative: true, answers, authorities: [negativeSoa(zone)] };
  }
}

function normalize(name: string): DomainName {
  return name.toLowerCase().replace(/\.$/, '');
}

function parentOf(name: DomainName): DomainName {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Zones built in code may use any case or a trailing dot: index them normalised. */
function indexZone(zone: Zone): IndexedZone {
  const origin = normalize(zone.origin);
  const byName = new Map<DomainName, ZoneRecord[]>();
  const existing = new Set<DomainName>([origin]);
  let soa: IndexedZone['soa'] | undefined;
  for (const record of zone.records) {
    const name = normalize(record.name);
    if (!isAtOrBelow(name, origin)) {
      throw new Error(`record '${record.name}' is outside zone '${origin}'`);
    }
    if (record.type === 'SOA' && name === origin) soa = record;
    const list = byName.get(name) ?? [];
    list.push(record);
    byName.set(name, list);
    // Every ancestor up to the apex exists too (empty non-terminals, RFC 4592 §2.2.2).
    for (let n = name; n !== origin; n = parentOf(n)) existing.add(n);
  }
  if (soa === undefined) throw new Error(`zone '${origin}' has no SOA at its apex`);
  return { zone, origin, soa, byName, existing };
}

/**
 * The records at `name` (possibly none: an empty non-terminal or a name with other types),
 * synthesised from a wildcard when the name does not exist (RFC 4592), or undefined: NXDOMAIN.
 */
function lookup(zone: IndexedZone, name: DomainName): ZoneRecord[] | undefined {
  if (zone.existing.has(name)) return zone.byName.get(name) ?? [];
  let encloser = name;
  while (!zone.existing.has(encloser)) encloser = parentOf(encloser);
  return zone.byName.get(encloser === '' ? '*' : `*.${encloser}`);
}

/** The SOA for a negative answer; its TTL is the negative-caching TTL (RFC 2308 §3). */
function negativeSoa(zone: IndexedZone): dnsPacket.Answer {
  const answer = toAnswer(zone.soa, zone.origin);
  answer.ttl = Math.min(zone.soa.ttl, zone.soa.data.minimum);
  return answer;
}

function toAnswer(record: ZoneRecord, owner: string): dnsPacket.Answer & { ttl: number } {
  const base = { name: owner, ttl: record.ttl, class: 'IN' as const };
  switch (record.type) {
    case 'A':
    case 'AAAA':
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return { ...base, type: record.type, data: record.data };
    case 'MX':
      return { ...base, type: 'MX', data: { ...record.data } };
    case 'TXT':
      return { ...base, type: 'TXT', data: record.data.flatMap(txtChunks) };
    case 'CAA':
      return {
        ...base,
        type: 'CAA',
        data: { ...record.data, tag: record.data.tag as dnsPacket.CaaData['tag'] },
      };
    case 'SOA':
      return { ...base, type: 'SOA', data: { ...record.data } };
    case 'SRV':
      return { ...base, type: 'SRV', data: { ...record.data } };
    case 'TLSA':
      return {
        ...base,
        type: 'TLSA',
        data: { ...record.data, certificate: Buffer.from(record.data.certificate, 'hex') },
      };
    case 'DS':
      return {
        ...base,
        type: 'DS',
        data: { ...record.data, digest: Buffer.from(record.data.digest, 'hex') },
      };
    case 'DNSKEY':
      return {
        ...base,
        type: 'DNSKEY',
        data: { ...record.data, key: Buffer.from(record.data.key, 'base64') },
      };
  }
}

/** A character-string holds at most 255 bytes: longer text goes out as consecutive strings. */
function txtChunks(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return [bytes];
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks;
}

/**
 * The response to one decoded query, in the forms a transport may need, or undefined when the
 * packet deserves no answer (it is itself a response).
 */
function respond(
  zones: ZoneSet,
  request: dnsPacket.Packet,
  emulateDnssec: boolean,
): ResponseParts | undefined {
  // Only queries get answers; responses (QR set) are dropped to avoid answering reflections.
  if (request.type !== 'query') return undefined;
  const header = request.flags ?? 0;
  const opcode = (header >> 11) & 0xf;
  const questions = request.questions ?? [];
  const opt = (request.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
  const question = questions[0];

  let result: DnsAnswer;
  if (opcode !== 0) {
    result = failure(RCODE.NOTIMP);
  } else if (questions.length !== 1 || question === undefined) {
    result = failure(RCODE.FORMERR);
  } else if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') {
    result = failure(RCODE.REFUSED);
  } else if (question.type === 'AXFR' || question.type === 'IXFR') {
    result = failure(RCODE.NOTIMP); // no zone transfers from the lab
  } else {
    result = zones.answer(question.name, question.type);
  }

  const dnssecOk = opt?.flag_do === true;
  let authenticated = false;
  const fromZones = result.rcode === RCODE.NOERROR || result.rcode === RCODE.NXDOMAIN;
  if (emulateDnssec && question !== undefined && fromZones) {
    // Lab emulation of a validating resolver (see ZoneSet#dnssecStatus).
    const status = zones.dnssecStatus(question.name, question.type);
    const checkingDisabled = (header & dnsPacket.CHECKING_DISABLED) !== 0;
    if (status === 'bogus' && !checkingDisabled) {
      result = failure(RCODE.SERVFAIL); // RFC 4035 §5.5: bogus data is not handed out
    } else if (status === 'secure') {
      // RFC 6840 §5.8: AD only for a client that asked with DO or AD.
      authenticated = dnssecOk || (header & dnsPacket.AUTHENTIC_DATA) !== 0;
    }
  }

  const packet = (r: DnsAnswer, truncated = false): dnsPacket.Packet => ({
    type: 'response',
    id: request.id ?? 0,
    flags:
      (header & (0xf << 11)) | // opcode echoed
      (header & dnsPacket.RECURSION_DESIRED) |
      (r.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
      (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      (authenticated && r.rcode !== RCODE.SERVFAIL ? dnsPacket.AUTHENTIC_DATA : 0) |
      r.rcode,
    questions,
    answers: r.answers,
    authorities: r.authorities,
    // RFC 6891 §7: answer EDNS with EDNS.
    additionals: opt ? [ourOpt(dnssecOk)] : [],
  });
  return {
    question: { name: question?.name ?? '', type: question?.type ?? '' },
    rcode: result.rcode,
    full: packet(result),
    // TC with no records, so the client retries over TCP (RFC 7766 §5).
    truncated: packet({ ...result, answers: [], authorities: [] }, true),
    // A SERVFAIL to send if the full answer cannot be encoded.
    servfail: packet(failure(RCODE.SERVFAIL)),
    udpLimit: Math.max(CLASSIC_UDP_LIMIT, opt?.udpPayloadSize ?? CLASSIC_UDP_LIMIT),
  };
}

interface ResponseParts {
  question: { name: string; type: string };
  rcode: number;
  full: dnsPacket.Packet;
  truncated: dnsPacket.Packet;
  servfail: dnsPacket.Packet;
  /** The largest UDP response this client accepts: its EDNS payload size, or 512. */
  udpLimit: number;
}

function failure(rcode: number): DnsAnswer {
  return { rcode, authoritative: false, answers: [], authorities: [] };
}

function ourOpt(dnssecOk: boolean): dnsPacket.OptAnswer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: ADVERTISED_UDP_PAYLOAD,
    extendedRcode: 0,
    ednsVersion: 0,
    // RFC 3225 §3: the DO bit is copied into the response.
    flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0,
    flag_do: dnssecOk,
    options: [],
  };
}

interface ServerContext {
  zones: ZoneSet;
  emulateDnssec: boolean;
  onQuery?: (event: LabDnsQueryEvent) => void;
  udpDelayMs?: LabDnsServerOptions['udpDelayMs'];
}

function udpDelay(context: ServerContext, message: Buffer): number {
  if (!context.udpDelayMs) return 0;
  const question = dnsPacket.decode(message).questions?.[0];
  return question ? context.udpDelayMs({ name: question.name, type: question.type }) : 0;
}

function report(
  context: ServerContext,
  transport: 'udp' | 'tcp',
  parts: ResponseParts,
  rcode: number,
  truncated: boolean,
): void {
  try {
    context.onQuery?.({ transport, ...parts.question, rcode: RCODE_NAMES[rcode]!, truncated });
  } catch {
    // An observer's bug must not stop the server answering.
  }
}

/** Wire bytes for a UDP query, or undefined to stay silent (malformed or not a query). */
function answerUdp(context: ServerContext, message: Buffer): Buffer | undefined {
  let parts: ResponseParts | undefined;
  try {
    parts = respond(context.zones, dnsPacket.decode(message), context.emulateDnssec);
  } catch {
    return undefined;
  }
  if (parts === undefined) return undefined;
  let wire: Buffer;
  let rcode = parts.rcode;
  let truncated = false;
  try {
    wire = dnsPacket.encode(parts.full);
    if (wire.length > parts.udpLimit) {
      wire = dnsPacket.encode(parts.truncated);
      truncated = true;
    }
  } catch {
    wire = dnsPacket.encode(parts.servfail);
    rcode = RCODE.SERVFAIL;
  }
  report(context, 'udp', parts, rcode, truncated);
  return wire;
}

/**
 * Wire bytes (length-prefixed) for one TCP frame, or undefined when the frame is malformed and
 * the connection should close.
 */
function answerTcp(context: ServerContext, frame: Buffer): Buffer | undefined {
  let parts: ResponseParts | undefined;
  try {
    const request = dnsPacket.streamDecode(frame);
    // A declared length that disagrees with the message is malformed too.
    if (request === null || dnsPacket.streamDecode.bytes !== frame.length - 2) return undefined;
    parts = respond(context.zones, request, context.emulateDnssec);
  } catch {
    return undefined;
  }
  if (parts === undefined) return undefined;
  let wire: Buffer;
  let rcode = parts.rcode;
  try {
    wire = dnsPacket.streamEncode(parts.full);
  } catch {
    wire = dnsPacket.streamEncode(parts.servfail);
    rcode = RCODE.SERVFAIL;
  }
  report(context, 'tcp', parts, rcode, false);
  return wire;
}

/** Starts an authoritative server for `zones` on UDP and TCP, same host and port. */
export async function startLabDnsServer(options: LabDnsServerOptions): Promise<LabDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const context: ServerContext = {
    zones: new ZoneSet(options.zones),
    emulateDnssec: options.emulateDnssecValidation ?? true,
    onQuery: options.onQuery,
    udpDelayMs: options.udpDelayMs,
  };
  const requestedPort = options.port ?? 0;

  let lastError: unknown;
  // With port 0 the UDP port is ephemeral and TCP may find it taken: try another one.
  for (let attempt = 0; attempt < (requestedPort === 0 ? BIND_ATTEMPTS : 1); attempt++) {
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(requestedPort, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      throw error;
    }
    const port = udp.address().port;
    const sockets = new Set<net.Socket>();
    const tcp = net.createServer((socket) => serveTcp(context, socket, sockets));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ port, host }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      lastError = error;
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      throw error;
    }
    serveUdp(context, udp);
    tcp.on('error', () => undefined); // accept errors must not take the process down
    return {
      host,
      port,
      address: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
      close: () => closeAll(udp, tcp, sockets),
    };
  }
  throw lastError;
}

function serveUdp(context: ServerContext, socket: dgram.Socket): void {
  socket.on('error', () => undefined); // e.g. ICMP port unreachable: never fatal
  socket.on('message', (message, remote) => {
    try {
      const response = answerUdp(context, message);
      if (response === undefined) return;
      const delay = udpDelay(context, message);
      const send = () => socket.send(response, remote.port, remote.address, () => undefined);
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    } catch {
      // Whatever a packet does to the encoder, the server stays up: drop it.
    }
  });
}

function serveTcp(context: ServerContext, socket: net.Socket, sockets: Set<net.Socket>): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
  socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // Each message is preceded by its 2-byte length (RFC 1035 §4.2.2); several may follow.
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) return;
      const frame = pending.subarray(0, 2 + length);
      pending = pending.subarray(2 + length);
      let response: Buffer | undefined;
      try {
        response = answerTcp(context, frame);
      } catch {
        response = undefined; // whatever a frame does to the encoder, the server stays up
      }
      if (response === undefined) {
        socket.destroy(); // a malformed message leaves the stream unusable
        return;
      }
      socket.write(response);
    }
  });
}

async function closeAll(
  udp: dgram.Socket,
  tcp: net.Server,
  sockets: Set<net.Socket>,
): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await Promise.all([
    new Promise<void>((resolve) => udp.close(() => resolve())),
    new Promise<void>((resolve) => tcp.close(() => resolve())),
  ]);
}
