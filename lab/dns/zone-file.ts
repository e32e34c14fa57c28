// Hand-written RFC 1035 §5 master-file parser: the npm zone-file parsers are unmaintained or miss
// parentheses, escapes and several strings per TXT, and the lab needs precise line-numbered errors.
import { isIPv4, isIPv6, SocketAddress } from 'node:net';

/**
 * Domain names are stored lowercase, absolute, WITHOUT the trailing dot ('good.perimeter.test');
 * the root is ''. This is what dns-packet encodes and what Node's resolver returns.
 */
export type DomainName = string;

interface RecordBase {
  /** Owner name, lowercase, no trailing dot. May start with the wildcard label '*'. */
  name: DomainName;
  ttl: number;
}

export interface ARecord extends RecordBase {
  type: 'A';
  /** Dotted-quad IPv4 address. */
  data: string;
}
export interface AaaaRecord extends RecordBase {
  type: 'AAAA';
  /** Canonical (RFC 5952) IPv6 address. */
  data: string;
}
export interface NameRecord extends RecordBase {
  type: 'NS' | 'CNAME' | 'PTR';
  data: DomainName;
}
export interface MxRecord extends RecordBase {
  type: 'MX';
  data: { preference: number; exchange: DomainName };
}
export interface TxtRecord extends RecordBase {
  type: 'TXT';
  /**
   * The character-strings, in order, as UTF-8 text. The server splits any string longer than
   * 255 bytes into 255-byte chunks on the wire, so zones built in code may use long strings.
   */
  data: string[];
}
export interface CaaRecord extends RecordBase {
  type: 'CAA';
  data: { flags: number; tag: string; value: string };
}
export interface SoaRecord extends RecordBase {
  type: 'SOA';
  data: {
    mname: DomainName;
    /** Mailbox as a name ('hostmaster.example.test'); a literal dot in the local part is '\.'. */
    rname: DomainName;
    serial: number;
    refresh: number;
    retry: number;
    expire: number;
    minimum: number;
  };
}
export interface SrvRecord extends RecordBase {
  type: 'SRV';
  data: { priority: number; weight: number; port: number; target: DomainName };
}
export interface TlsaRecord extends RecordBase {
  type: 'TLSA';
  /** certificate: lowercase hex. */
  data: { usage: number; selector: number; matchingType: number; certificate: string };
}
export interface DsRecord extends RecordBase {
  type: 'DS';
  /** digest: lowercase hex. */
  data: { keyTag: number; algorithm: number; digestType: number; digest: string };
}
export interface DnskeyRecord extends RecordBase {
  type: 'DNSKEY';
  /** key: base64. protocol is always 3 (RFC 4034). */
  data: { flags: number; protocol: number; algorithm: number; key: string };
}

export type ZoneRecord =
  | ARecord
  | AaaaRecord
  | NameRecord
  | MxRecord
  | TxtRecord
  | CaaRecord
  | SoaRecord
  | SrvRecord
  | TlsaRecord
  | DsRecord
  | DnskeyRecord;

export type ZoneRecordType = ZoneRecord['type'];

export const ZONE_RECORD_TYPES: readonly ZoneRecordType[] = [
  'SOA',
  'NS',
  'A',
  'AAAA',
  'CNAME',
  'MX',
  'TXT',
  'CAA',
  'SRV',
  'PTR',
  'TLSA',
  'DS',
  'DNSKEY',
];

/** One authoritative zone: its apex (the SOA owner) and every record in it. */
export interface Zone {
  origin: DomainName;
  records: ZoneRecord[];
  /** Where the zone came from (file path), for messages. */
  source?: string;
}

export class ZoneFileError extends Error {
  override readonly name = 'ZoneFileError';
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${fileName}:${line}: ${reason}`);
  }
}

export interface ParseZoneOptions {
  /** Used in error messages. Default '<zone>'. */
  fileName?: string;
  /** Initial $ORIGIN (absolute; trailing dot optional), e.g. from the file name. */
  origin?: string;
}

const MAX_TTL = 2 ** 31 - 1; // RFC 2181 §8
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

/** A token of one entry; `raw` keeps backslash escapes, quoted tokens exclude the quotes. */
interface Token {
  raw: string;
  quoted: boolean;
  line: number;
}

interface Entry {
  tokens: Token[];
  /** The physical line started with whitespace: the owner is the previous one. */
  blankOwner: boolean;
  line: number;
}

/**
 * Parses a master file and returns the zone. The zone apex is the owner of the (single) SOA;
 * every record must lie at or below it.
 */
export function parseZoneFile(text: string, options: ParseZoneOptions = {}): Zone {
  const fileName = options.fileName ?? '<zone>';
  const fail = (line: number, reason: string): never => {
    throw new ZoneFileError(fileName, line, reason);
  };

  let origin: DomainName | undefined =
    options.origin === undefined ? undefined : absoluteName(options.origin, fail, 0);
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let lastOwner: DomainName | undefined;
  const parsed: { record: ZoneRecord; line: number }[] = [];

  for (const entry of tokenize(text, fail)) {
    const first = entry.tokens[0]!;
    if (!entry.blankOwner && !first.quoted && first.raw.startsWith('$')) {
      const directive = first.raw.toUpperCase();
      const args = entry.tokens.slice(1);
      if (directive === '$ORIGIN') {
        if (args.length !== 1) fail(entry.line, '$ORIGIN expects exactly one domain name');
        origin = parseName(args[0]!, origin, fail);
      } else if (directive === '$TTL') {
        if (args.length !== 1) fail(entry.line, '$TTL expects exactly one TTL');
        defaultTtl = parseTtl(args[0]!, fail);
      } else if (directive === '$INCLUDE' || directive === '$GENERATE') {
        fail(entry.line, `${first.raw} is not supported by the lab parser`);
      } else {
        fail(entry.line, `unknown directive '${first.raw}'`);
      }
      continue;
    }

    let index = 0;
    let owner: DomainName;
    if (entry.blankOwner) {
      if (lastOwner === undefined) {
        fail(entry.line, 'record has no owner name and there is no previous owner to repeat');
      }
      owner = lastOwner!;
    } else {
      owner = parseName(entry.tokens[index++]!, origin, fail);
    }
    lastOwner = owner;

    let ttl: number | undefined;
    let klass: string | undefined;
    let typeToken: Token | undefined;
    // TTL and class are both optional and may come in either order (RFC 1035 §5.1).
    while (index < entry.tokens.length) {
      const token = entry.tokens[index++]!;
      if (ttl === undefined && !token.quoted && /^[0-9]/.test(token.raw)) {
        ttl = parseTtl(token, fail);
      } else if (klass === undefined && !token.quoted && CLASSES.has(token.raw.toUpperCase())) {
        klass = token.raw.toUpperCase();
      } else {
        typeToken = token;
        break;
      }
    }
    if (typeToken === undefined) fail(entry.line, 'missing record type');
    if (klass !== undefined && klass !== 'IN') {
      fail(entry.line, `class ${klass} is not supported (only IN)`);
    }
    const type = typeToken!.raw.toUpperCase() as ZoneRecordType;
    if (typeToken!.quoted || !ZONE_RECORD_TYPES.includes(type)) {
      fail(typeToken!.line, `unknown or unsupported record type '${typeToken!.raw}'`);
    }
    const rdata = entry.tokens.slice(index);
    const record = parseRdata(owner, type, rdata, origin, typeToken!.line, fail);

    if (ttl === undefined) ttl = defaultTtl;
    // No $TTL: the SOA falls back to its MINIMUM (as BIND does), others to the previous TTL.
    if (ttl === undefined && record.type === 'SOA') ttl = record.data.minimum;
    if (ttl === undefined) ttl = lastTtl;
    if (ttl === undefined) fail(entry.line, 'record has no TTL and there is no $TTL default');
    record.ttl = ttl!;
    lastTtl = ttl;
    parsed.push({ record, line: entry.line });
  }

  return buildZone(parsed, fileName, fail);
}

function buildZone(
  parsed: { record: ZoneRecord; line: number }[],
  fileName: string,
  fail: (line: number, reason: string) => never,
): Zone {
  const soas = parsed.filter((p) => p.record.type === 'SOA');
  if (soas.length === 0) fail(1, 'the zone has no SOA record');
  if (soas.length > 1) fail(soas[1]!.line, 'the zone has more than one SOA record');
  const origin = soas[0]!.record.name;

  const records: ZoneRecord[] = [];
  const seen = new Set<string>();
  const typesAt = new Map<string, Set<string>>();
  for (const { record, line } of parsed) {
    if (!isAtOrBelow(record.name, origin)) {
      fail(line, `'${record.name}' is outside the zone '${origin}'`);
    }
    // RRsets are sets (RFC 2181 §5): identical records collapse into one.
    const key = `${record.name}\u0000${record.type}\u0000${JSON.stringify(record.data)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const types = typesAt.get(record.name) ?? new Set<string>();
    typesAt.set(record.name, types);
    types.add(record.type);
    if (types.has('CNAME') && types.size > 1) {
      fail(line, `'${record.name}' has a CNAME and other data (RFC 1034 §3.6.2)`);
    }
    if (record.type === 'CNAME' && records.some((r) => r.name === record.name)) {
      fail(line, `'${record.name}' has more than one CNAME`);
    }
    records.push(record);
  }
  return { origin, records, source: fileName };
}

/** True when `name` equals `ancestor` or is below it (both normalised). */
export function isAtOrBelow(name: DomainName, ancestor: DomainName): boolean {
  return ancestor === '' || name === ancestor || name.endsWith(`.${ancestor}`);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

function tokenize(text: string, fail: (line: number, reason: string) => never): Entry[] {
  const entries: Entry[] = [];
  let line = 1;
  let depth = 0;
  let openedAt = 0;
  let current: Entry = { tokens: [], blankOwner: false, line: 1 };
  let atLineStart = true;
  let i = 0;

  const finishEntry = (): void => {
    if (current.tokens.length > 0) {
      current.line = current.tokens[0]!.line;
      entries.push(current);
    }
    current = { tokens: [], blankOwner: false, line };
  };

  while (i < text.length) {
    const c = text[i]!;
    if (atLineStart) {
      atLineStart = false;
      // Leading whitespace only means "same owner" when it starts a new entry.
      if (depth === 0 && (c === ' ' || c === '\t')) current.blankOwner = true;
    }
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      if (depth === 0) finishEntry();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      if (depth === 0) openedAt = line;
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) fail(line, "unbalanced parentheses: ')' without '('");
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      const start = line;
      let raw = '';
      i++;
      for (;;) {
        if (i >= text.length || text[i] === '\n') {
          fail(start, 'unterminated quoted string');
        }
        const q = text[i]!;
        if (q === '"') {
          i++;
          break;
        }
        if (q === '\\') {
          if (i + 1 >= text.length || text[i + 1] === '\n') {
            fail(line, 'backslash at end of line inside a quoted string');
          }
          raw += q + text[i + 1]!;
          i += 2;
          continue;
        }
        raw += q;
        i++;
      }
      current.tokens.push({ raw, quoted: true, line: start });
      continue;
    }
    // Unquoted token: runs to whitespace or a delimiter; a backslash protects the next char.
    let raw = '';
    while (i < text.length) {
      const u = text[i]!;
      if (' \t\r\n;()"'.includes(u)) break;
      if (u === '\\') {
        if (i + 1 >= text.length || text[i + 1] === '\n') {
          fail(line, 'backslash at end of line');
        }
        raw += u + text[i + 1]!;
        i += 2;
        continue;
      }
      raw += u;
      i++;
    }
    current.tokens.push({ raw, quoted: false, line });
  }
  if (depth > 0) fail(openedAt, "unbalanced parentheses: '(' is never closed");
  finishEntry();
  return entries;
}

/** Decodes `\X` and `\DDD` escapes into bytes. */
function unescape(token: Token, fail: (line: number, reason: string) => never): Buffer {
  const bytes: number[] = [];
  const raw = token.raw;
  for (let i = 0; i < raw.length;) {
    const c = raw[i]!;
    if (c === '\\') {
      const digits = raw.slice(i + 1, i + 4);
      if (/^[0-9]/.test(digits)) {
        if (!/^[0-9]{3}$/.test(digits) || Number(digits) > 255) {
          fail(token.line, `bad escape '\\${digits}': \\DDD needs three digits, at most 255`);
        }
        bytes.push(Number(digits));
        i += 4;
      } else {
        const escaped = String.fromCodePoint(raw.codePointAt(i + 1)!);
        bytes.push(...Buffer.from(escaped, 'utf8'));
        i += 1 + escaped.length;
      }
    } else {
      const cp = raw.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// Field parsers

function absoluteName(
  text: string,
  fail: (line: number, reason: string) => never,
  line: number,
): DomainName {
  const withDot = text.endsWith('.') ? text : `${text}.`;
  return parseName({ raw: withDot, quoted: false, line }, undefined, fail);
}

function parseName(
  token: Token,
  origin: DomainName | undefined,
  fail: (line: number, reason: string) => never,
  options: { mailbox?: boolean } = {},
): DomainName {
  if (token.quoted) fail(token.line, `a domain name cannot be quoted: "${token.raw}"`);
  const raw = token.raw;
  if (raw === '@') {
    if (origin === undefined) fail(token.line, "'@' used but no $ORIGIN is set");
    return origin!;
  }
  if (raw === '.') return '';
  // Split on unescaped dots; a trailing unescaped dot makes the name absolute.
  const labels: string[] = [];
  let label = '';
  let absolute = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      label += raw.slice(i, i + 2);
      i++;
    } else if (c === '.') {
      if (label === '') fail(token.line, `empty label in domain name '${raw}'`);
      labels.push(label);
      label = '';
      if (i === raw.length - 1) absolute = true;
    } else {
      label += c;
    }
  }
  if (!absolute) {
    if (label === '') fail(token.line, `empty label in domain name '${raw}'`);
    labels.push(label);
  }
  const decoded = labels.map((l, index) => {
    const bytes = unescape({ raw: l, quoted: false, line: token.line }, fail);
    if (bytes.length > 63) fail(token.line, `label '${l}' is longer than 63 bytes`);
    const text = bytes.toString('utf8').toLowerCase();
    if (text.includes('.')) {
      // dns-packet cannot carry a dot inside a label, except in a mailbox's local part.
      if (options.mailbox && index === 0) return text.replaceAll('.', '\\.');
      fail(token.line, `a literal dot inside a label is not supported: '${raw}'`);
    }
    return text;
  });
  let name = decoded.join('.');
  if (!absolute) {
    if (origin === undefined) {
      fail(token.line, `relative name '${raw}' but no $ORIGIN is set`);
    }
    name = origin === '' ? name : `${name}.${origin}`;
  }
  if (name.replaceAll('\\.', '.').length > 253) {
    fail(token.line, `domain name '${name}' is longer than 255 bytes on the wire`);
  }
  return name;
}

function parseTtl(token: Token, fail: (line: number, reason: string) => never): number {
  const raw = token.raw;
  let total: number;
  if (/^[0-9]+$/.test(raw)) {
    total = Number(raw);
  } else if (/^([0-9]+[wdhms])+$/i.test(raw)) {
    // BIND-style units: 1w2d3h4m5s.
    const unit: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
    total = 0;
    for (const [, n, u] of raw.matchAll(/([0-9]+)([wdhms])/gi)) {
      total += Number(n) * unit[u!.toLowerCase()]!;
    }
  } else {
    fail(token.line, `bad TTL '${raw}'`);
  }
  if (token.quoted || total! > MAX_TTL) {
    fail(token.line, `bad TTL '${raw}': must be 0..${MAX_TTL}`);
  }
  return total!;
}

function parseUint(
  token: Token | undefined,
  max: number,
  what: string,
  line: number,
  fail: (line: number, reason: string) => never,
): number {
  if (token === undefined) fail(line, `missing ${what}`);
  if (token!.quoted || !/^[0-9]+$/.test(token!.raw) || Number(token!.raw) > max) {
    fail(token!.line, `bad ${what} '${token!.raw}': expected an integer 0..${max}`);
  }
  return Number(token!.raw);
}

function parseCharString(token: Token, fail: (line: number, reason: string) => never): Buffer {
  const bytes = unescape(token, fail);
  if (bytes.length > 255) {
    fail(
      token.line,
      `character-string of ${bytes.length} bytes is longer than 255: split it into several quoted strings`,
    );
  }
  return bytes;
}

function parseRdata(
  owner: DomainName,
  type: ZoneRecordType,
  fields: Token[],
  origin: DomainName | undefined,
  line: number,
  fail: (line: number, reason: string) => never,
): ZoneRecord {
  const expect = (count: number): void => {
    if (fields.length !== count) {
      fail(line, `${type} expects ${count} field(s), got ${fields.length}`);
    }
  };
  const atLeast = (count: number): void => {
    if (fields.length < count) {
      fail(line, `${type} expects at least ${count} field(s), got ${fields.length}`);
    }
  };
  const base = { name: owner, ttl: 0 };
  switch (type) {
    case 'A': {
      expect(1);
      const address = fields[0]!;
      if (address.quoted || !isIPv4(address.raw)) {
        fail(address.line, `bad IPv4 address '${address.raw}'`);
      }
      return { ...base, type, data: address.raw };
    }
    case 'AAAA': {
      expect(1);
      const address = fields[0]!;
      if (address.quoted || address.raw.includes('%') || !isIPv6(address.raw)) {
        fail(address.line, `bad IPv6 address '${address.raw}'`);
      }
      // SocketAddress canonicalises through inet_pton/inet_ntop (RFC 5952 form).
      return {
        ...base,
        type,
        data: new SocketAddress({ address: address.raw, family: 'ipv6' }).address,
      };
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      expect(1);
      return { ...base, type, data: parseName(fields[0]!, origin, fail) };
    case 'MX':
      expect(2);
      return {
        ...base,
        type,
        data: {
          preference: parseUint(fields[0], 0xffff, 'MX preference', line, fail),
          exchange: parseName(fields[1]!, origin, fail),
        },
      };
    case 'TXT':
      atLeast(1);
      return {
        ...base,
        type,
        data: fields.map((f) => parseCharString(f, fail).toString('utf8')),
      };
    case 'CAA': {
      expect(3);
      const flags = parseUint(fields[0], 255, 'CAA flags', line, fail);
      const tag = fields[1]!;
      if (tag.quoted || !/^[a-z0-9]+$/i.test(tag.raw)) {
        fail(tag.line, `bad CAA tag '${tag.raw}': expected letters and digits`);
      }
      return {
        ...base,
        type,
        data: {
          flags,
          tag: tag.raw.toLowerCase(),
          value: unescape(fields[2]!, fail).toString('utf8'),
        },
      };
    }
    case 'SOA': {
      expect(7);
      const ttlField = (token: Token): number => parseTtl(token, fail);
      return {
        ...base,
        type,
        data: {
          mname: parseName(fields[0]!, origin, fail),
          rname: parseName(fields[1]!, origin, fail, { mailbox: true }),
          serial: parseUint(fields[2], 0xffffffff, 'SOA serial', line, fail),
          refresh: ttlField(fields[3]!),
          retry: ttlField(fields[4]!),
          expire: ttlField(fields[5]!),
          minimum: ttlField(fields[6]!),
        },
      };
    }
    case 'SRV':
      expect(4);
      return {
        ...base,
        type,
        data: {
          priority: parseUint(fields[0], 0xffff, 'SRV priority', line, fail),
          weight: parseUint(fields[1], 0xffff, 'SRV weight', line, fail),
          port: parseUint(fields[2], 0xffff, 'SRV port', line, fail),
          target: parseName(fields[3]!, origin, fail),
        },
      };
    case 'TLSA':
      atLeast(4);
      return {
        ...base,
        type,
        data: {
          usage: parseUint(fields[0], 255, 'TLSA usage', line, fail),
          selector: parseUint(fields[1], 255, 'TLSA selector', line, fail),
          matchingType: parseUint(fields[2], 255, 'TLSA matching type', line, fail),
          certificate: parseHex(fields.slice(3), 'TLSA certificate data', line, fail),
        },
      };
    case 'DS':
      atLeast(4);
      return {
        ...base,
        type,
        data: {
          keyTag: parseUint(fields[0], 0xffff, 'DS key tag', line, fail),
          algorithm: parseUint(fields[1], 255, 'DS algorithm', line, fail),
          digestType: parseUint(fields[2], 255, 'DS digest type', line, fail),
          digest: parseHex(fields.slice(3), 'DS digest', line, fail),
        },
      };
    case 'DNSKEY': {
      atLeast(4);
      const protocol = parseUint(fields[1], 255, 'DNSKEY protocol', line, fail);
      if (protocol !== 3) fail(line, `bad DNSKEY protocol ${protocol}: must be 3 (RFC 4034)`);
      const key = fields
        .slice(3)
        .map((f) => f.raw)
        .join('');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
        fail(line, 'bad DNSKEY public key: expected base64');
      }
      return {
        ...base,
        type,
        data: {
          flags: parseUint(fields[0], 0xffff, 'DNSKEY flags', line, fail),
          protocol,
          algorithm: parseUint(fields[2], 255, 'DNSKEY algorithm', line, fail),
          key,
        },
      };
    }
  }
}

function parseHex(
  fields: Token[],
  what: string,
  line: number,
  fail: (line: number, reason: string) => never,
): string {
  // Hex data may be split into several whitespace-separated chunks (RFC 4034 §5.3).
  const hex = fields.map((f) => f.raw).join('');
  if (!/^([0-9a-f]{2})+$/i.test(hex))
    fail(line, `bad ${what}: expected an even number of hex digits`);
  return hex.toLowerCase();
}
