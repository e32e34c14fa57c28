import * as dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import * as net from 'node:net';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabDnsServer, ZoneSet, type LabDnsQueryEvent, type LabDnsServer } from './dns-server';
import { parseZoneFile, type Zone } from './zone-file';
import { loadZoneDir } from './zones';

const LAB_ZONE = parseZoneFile(
  `
$ORIGIN lab.test.
$TTL 60
@         SOA   ns1 hostmaster ( 1 3600 600 604800 30 )
@         NS    ns1
ns1       A     127.0.0.11
*.wild    A     127.0.20.1
*.wild    TXT   "wildcard"
exists.wild TXT "real"
leaf.deep A     127.0.20.2                  ; deep.lab.test is an empty non-terminal
chain     CNAME www.good.perimeter.test.   ; into another served zone, itself a CNAME
dangling  CNAME missing                    ; target in our zone, but absent
outside   CNAME www.example.com.           ; target in nobody's zone
loop1     CNAME loop2
loop2     CNAME loop1
_sip._tcp SRV   10 20 5060 sip
sip       A     127.0.20.3
1.20      PTR   sip.lab.test.
`,
  { fileName: 'lab.test.zone' },
);

const LONG_VALUE = 'k'.repeat(250) + 'L'.repeat(250) + 'm'.repeat(100);
/** A zone built in code, with a single 600-byte string the server must split on the wire. */
const CODE_ZONE: Zone = {
  origin: 'code.test',
  records: [
    {
      name: 'code.test',
      ttl: 60,
      type: 'SOA',
      data: {
        mname: 'ns1.code.test',
        rname: 'hostmaster.code.test',
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 604800,
        minimum: 60,
      },
    },
    { name: 'code.test', ttl: 60, type: 'TXT', data: [LONG_VALUE] },
  ],
};

let server: LabDnsServer;
const events: LabDnsQueryEvent[] = [];

beforeAll(async () => {
  const labZones = await loadZoneDir(join(__dirname, '..', 'zones'));
  server = await startLabDnsServer({
    zones: [...labZones, LAB_ZONE, CODE_ZONE],
    onQuery: (event) => events.push(event),
  });
});

afterAll(async () => {
  await server?.close();
});

/** A fresh resolver each time: c-ares caches answers per channel. */
function resolver(): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  r.setServers([server.address]);
  return r;
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
  throw new Error('expected the query to fail');
}

let nextId = 1;
function query(
  name: string,
  type: dnsPacket.RecordType | 'ANY', // the typings omit the ANY query type
  edns?: number,
): dnsPacket.Packet {
  return {
    type: 'query',
    id: nextId++,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals:
      edns === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: edns,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  };
}

/** Sends raw bytes over UDP; resolves with the decoded answer, or undefined after `waitMs`. */
function udpExchange(
  payload: Buffer,
  waitMs = 2000,
): Promise<(dnsPacket.DecodedPacket & { rcode?: string; wireLength: number }) | undefined> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, waitMs);
    socket.on('error', reject);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve({ ...dnsPacket.decode(message), wireLength: message.length });
    });
    socket.send(payload, server.port, server.host);
  });
}

async function udpQuery(packet: dnsPacket.Packet) {
  const response = await udpExchange(dnsPacket.encode(packet));
  if (response === undefined) throw new Error('no UDP answer');
  return response;
}

/** Writes `chunks` on one TCP connection; collects `expected` answers, or stops when closed. */
function tcpExchange(
  chunks: Buffer[],
  expected: number,
): Promise<{ answers: (dnsPacket.Packet & { rcode?: string })[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const answers: dnsPacket.Packet[] = [];
    let pending = Buffer.alloc(0);
    const socket = net.connect(server.port, server.host, async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 5)); // really separate TCP segments
      }
    });
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        answers.push(dnsPacket.streamDecode(pending)!);
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (answers.length === expected) {
        socket.end();
        resolve({ answers, closedByServer: false });
      }
    });
    socket.on('close', () => resolve({ answers, closedByServer: answers.length < expected }));
    socket.on('error', reject);
  });
}

describe('lab DNS server, queried with Node’s resolver', () => {
  it('listens on UDP and TCP on the same ephemeral loopback port', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
  });

  it('answers A with the zone TTL, and AAAA', async () => {
    const r = resolver();
    expect(await r.resolve4('good.perimeter.test', { ttl: true })).toEqual([
      { address: '127.0.10.1', ttl: 300 },
    ]);
    expect(await r.resolve6('good.perimeter.test')).toEqual(['::1']);
  });

  it('answers names case-insensitively', async () => {
    expect(await resolver().resolve4('GOOD.Perimeter.Test')).toEqual(['127.0.10.1']);
  });

  it('answers MX', async () => {
    // toMatchObject: Node 24 also adds a `type` property to these results.
    expect(await resolver().resolveMx('good.perimeter.test')).toMatchObject([
      { exchange: 'mail.good.perimeter.test', priority: 10 },
    ]);
    expect(await resolver().resolve4('mail.good.perimeter.test')).toEqual(['127.0.10.2']);
  });

  it('answers TXT (SPF and DMARC)', async () => {
    expect(await resolver().resolveTxt('good.perimeter.test')).toEqual([['v=spf1 mx -all']]);
    expect(await resolver().resolveTxt('_dmarc.good.perimeter.test')).toEqual([
      ['v=DMARC1; p=reject; rua=mailto:dmarc@good.perimeter.test'],
    ]);
  });

  it('answers a TXT written as several strings; the client rejoins them', async () => {
    const [record, ...others] = await resolver().resolveTxt('long.longtxt.perimeter.test');
    expect(others).toEqual([]);
    expect(record!.map((s) => s.length)).toEqual([200, 150, 50]);
    expect(record!.join('')).toMatch(/^v=DKIM1; k=rsa; p=abcdef/);
    expect(record!.join('')).toHaveLength(400);
  });

  it('splits a string longer than 255 bytes into 255-byte chunks on the wire', async () => {
    const [record] = await resolver().resolveTxt('code.test');
    expect(record!.map((s) => s.length)).toEqual([255, 255, 90]);
    expect(record!.join('')).toBe(LONG_VALUE);
  });

  it('answers CAA', async () => {
    expect(await resolver().resolveCaa('good.perimeter.test')).toMatchObject([
      { critical: 0, issue: 'letsencrypt.org' },
    ]);
  });

  it('answers NS', async () => {
    expect((await resolver().resolveNs('good.perimeter.test')).sort()).toEqual([
      'ns1.good.perimeter.test',
      'ns2.good.perimeter.test',
    ]);
  });

  it('answers SOA', async () => {
    expect(await resolver().resolveSoa('good.perimeter.test')).toEqual({
      nsname: 'ns1.good.perimeter.test',
      hostmaster: 'hostmaster.good.perimeter.test',
      serial: 2024060101,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minttl: 300,
    });
  });

  it('answers CNAME, and chases it for other types', async () => {
    expect(await resolver().resolveCname('www.good.perimeter.test')).toEqual([
      'good.perimeter.test',
    ]);
    expect(await resolver().resolve4('www.good.perimeter.test')).toEqual(['127.0.10.1']);
    // Two hops across zones: chain.lab.test → www.good.perimeter.test → good.perimeter.test.
    expect(await resolver().resolve4('chain.lab.test')).toEqual(['127.0.10.1']);
  });

  it('answers SRV and PTR', async () => {
    expect(await resolver().resolveSrv('_sip._tcp.lab.test')).toMatchObject([
      { name: 'sip.lab.test', port: 5060, priority: 10, weight: 20 },
    ]);
    expect(await resolver().resolvePtr('1.20.lab.test')).toEqual(['sip.lab.test']);
  });

  it('answers ANY with every record at the name', async () => {
    const types = (await resolver().resolveAny('good.perimeter.test')).map((r) => r.type).sort();
    expect(types).toEqual(['A', 'AAAA', 'CAA', 'MX', 'NS', 'NS', 'SOA', 'TXT']);
  });

  it('reports a missing name as NXDOMAIN (ENOTFOUND)', async () => {
    expect(await errorCode(resolver().resolve4('nope.good.perimeter.test'))).toBe('ENOTFOUND');
  });

  it('reports a name without that type as NODATA (ENODATA)', async () => {
    expect(await errorCode(resolver().resolveMx('nomail.perimeter.test'))).toBe('ENODATA');
    expect(await errorCode(resolver().resolveTxt('nomail.perimeter.test'))).toBe('ENODATA');
    expect(await errorCode(resolver().resolve6('nomail.perimeter.test'))).toBe('ENODATA');
  });

  it('refuses names outside every served zone (EREFUSED)', async () => {
    expect(await errorCode(resolver().resolve4('example.com'))).toBe('EREFUSED');
    expect(await errorCode(resolver().resolve4('perimeter.test'))).toBe('EREFUSED');
  });

  it('serves the private and mixed postures', async () => {
    expect((await resolver().resolve4('private.perimeter.test')).sort()).toEqual([
      '10.0.0.5',
      '192.168.1.10',
    ]);
    expect(await resolver().resolve6('private.perimeter.test')).toEqual(['fd00::1']);
    expect((await resolver().resolve4('mixed.perimeter.test')).sort()).toEqual([
      '10.0.0.7',
      '93.184.216.34',
    ]);
  });

  it('synthesises wildcard answers only for names that do not exist (RFC 4592)', async () => {
    expect(await resolver().resolve4('anything.wild.lab.test')).toEqual(['127.0.20.1']);
    expect(await resolver().resolve4('two.labels.wild.lab.test')).toEqual(['127.0.20.1']);
    expect(await resolver().resolveTxt('anything.wild.lab.test')).toEqual([['wildcard']]);
    // exists.wild has a TXT of its own: the wildcard does not apply to it at all.
    expect(await resolver().resolveTxt('exists.wild.lab.test')).toEqual([['real']]);
    expect(await errorCode(resolver().resolve4('exists.wild.lab.test'))).toBe('ENODATA');
    expect(await errorCode(resolver().resolve6('anything.wild.lab.test'))).toBe('ENODATA');
  });

  it('treats an empty non-terminal as existing (NODATA, not NXDOMAIN)', async () => {
    expect(await errorCode(resolver().resolve4('deep.lab.test'))).toBe('ENODATA');
    expect(await errorCode(resolver().resolve4('other.deep.lab.test'))).toBe('ENOTFOUND');
  });

  it('makes Node retry over TCP above 512 bytes (its resolver sends no EDNS)', async () => {
    const records = await resolver().resolveTxt('medium.longtxt.perimeter.test');
    expect(records).toHaveLength(6);
    const seen = events
      .filter((e) => e.name === 'medium.longtxt.perimeter.test')
      .map((e) => [e.transport, e.truncated]);
    expect(seen).toEqual([
      ['udp', true],
      ['tcp', false],
    ]);
  });

  it('delivers a large TXT answer complete: TC over UDP, then the retry over TCP', async () => {
    const records = await resolver().resolveTxt('longtxt.perimeter.test');
    expect(records).toHaveLength(30);
    expect(records.map((r) => r.join('')).sort()).toEqual(
      Array.from(
        { length: 30 },
        (_, i) => `bulk-record-${String(i + 1).padStart(2, '0')} ${'x'.repeat(70)}`,
      ),
    );
    const seen = events
      .filter((e) => e.name === 'longtxt.perimeter.test' && e.type === 'TXT')
      .map((e) => [e.transport, e.truncated]);
    expect(seen).toEqual([
      ['udp', true],
      ['tcp', false],
    ]);
  });
});

describe('lab DNS server, on the wire', () => {
  it('sets AA and echoes id, question and RD on answers', async () => {
    const packet = query('Good.Perimeter.Test', 'A');
    const response = await udpQuery(packet);
    expect(response.id).toBe(packet.id);
    expect(response.type).toBe('response');
    expect(response.flag_aa).toBe(true);
    expect(response.flag_rd).toBe(true);
    expect(response.flag_tc).toBe(false);
    expect(response.rcode).toBe('NOERROR');
    expect(response.questions).toEqual([{ name: 'Good.Perimeter.Test', type: 'A', class: 'IN' }]);
    expect(response.answers).toMatchObject([
      { name: 'Good.Perimeter.Test', type: 'A', ttl: 300, data: '127.0.10.1' },
    ]);
  });

  it('returns the CNAME and the chased records in one answer', async () => {
    const response = await udpQuery(query('www.good.perimeter.test', 'A'));
    expect(response.answers!.map((a) => [a.name, a.type])).toEqual([
      ['www.good.perimeter.test', 'CNAME'],
      ['good.perimeter.test', 'A'],
    ]);
  });

  it('puts the SOA, with the negative TTL, in the authority section of NXDOMAIN', async () => {
    const response = await udpQuery(query('nope.lab.test', 'A'));
    expect(response.rcode).toBe('NXDOMAIN');
    expect(response.flag_aa).toBe(true);
    expect(response.answers).toEqual([]);
    // min(SOA TTL 60, SOA MINIMUM 30), RFC 2308 §3
    expect(response.authorities).toMatchObject([{ name: 'lab.test', type: 'SOA', ttl: 30 }]);
  });

  it('puts the SOA in the authority section of NODATA', async () => {
    const response = await udpQuery(query('nomail.perimeter.test', 'MX'));
    expect(response.rcode).toBe('NOERROR');
    expect(response.answers).toEqual([]);
    expect(response.authorities).toMatchObject([{ name: 'nomail.perimeter.test', type: 'SOA' }]);
  });

  it('answers NXDOMAIN after a CNAME to a missing in-zone name, keeping the CNAME', async () => {
    const response = await udpQuery(query('dangling.lab.test', 'A'));
    expect(response.rcode).toBe('NXDOMAIN');
    expect(response.answers).toMatchObject([{ type: 'CNAME', data: 'missing.lab.test' }]);
  });

  it('returns only the CNAME when its target is in nobody’s zone', async () => {
    const response = await udpQuery(query('outside.lab.test', 'A'));
    expect(response.rcode).toBe('NOERROR');
    expect(response.answers).toMatchObject([{ type: 'CNAME', data: 'www.example.com' }]);
  });

  it('stops on a CNAME loop', async () => {
    const response = await udpQuery(query('loop1.lab.test', 'A'));
    expect(response.answers!.map((a) => a.type)).toEqual(['CNAME', 'CNAME']);
  });

  it('uses the query name as the owner of wildcard answers', async () => {
    const response = await udpQuery(query('x.wild.lab.test', 'A'));
    expect(response.answers).toMatchObject([{ name: 'x.wild.lab.test', data: '127.0.20.1' }]);
  });

  it('answers REFUSED, without AA, outside the served zones', async () => {
    const response = await udpQuery(query('example.com', 'A'));
    expect(response.rcode).toBe('REFUSED');
    expect(response.flag_aa).toBe(false);
  });

  it('truncates above 512 bytes for a client without EDNS: TC set, answer emptied', async () => {
    const response = await udpQuery(query('medium.longtxt.perimeter.test', 'TXT'));
    expect(response.flag_tc).toBe(true);
    expect(response.answers).toEqual([]);
    expect(response.wireLength).toBeLessThanOrEqual(512);
  });

  it('honours the EDNS payload size the client advertises, and answers with OPT', async () => {
    const medium = await udpQuery(query('medium.longtxt.perimeter.test', 'TXT', 1232));
    expect(medium.flag_tc).toBe(false);
    expect(medium.answers).toHaveLength(6);
    expect(medium.wireLength).toBeGreaterThan(512);
    expect(medium.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232 }]);
    const small = await udpQuery(query('longtxt.perimeter.test', 'TXT', 1232));
    expect(small.flag_tc).toBe(true);
    const large = await udpQuery(query('longtxt.perimeter.test', 'TXT', 4096));
    expect(large.flag_tc).toBe(false);
    expect(large.answers).toHaveLength(30);
    expect(large.wireLength).toBeGreaterThan(1232);
    expect(large.additionals).toMatchObject([{ type: 'OPT' }]);
  });

  it('answers several queries on one TCP connection, even split across segments', async () => {
    const first = dnsPacket.streamEncode(query('good.perimeter.test', 'A'));
    const second = dnsPacket.streamEncode(query('longtxt.perimeter.test', 'TXT'));
    const third = dnsPacket.streamEncode(query('nope.good.perimeter.test', 'A'));
    const { answers, closedByServer } = await tcpExchange(
      [
        Buffer.concat([first, second.subarray(0, 1)]),
        second.subarray(1, 40),
        Buffer.concat([second.subarray(40), third]),
      ],
      3,
    );
    expect(closedByServer).toBe(false);
    expect(answers.map((a) => a.questions![0]!.name)).toEqual([
      'good.perimeter.test',
      'longtxt.perimeter.test',
      'nope.good.perimeter.test',
    ]);
    expect(answers[1]!.answers).toHaveLength(30); // never truncated over TCP
    expect(answers[2]!.rcode).toBe('NXDOMAIN');
  });

  it('ignores a garbage UDP packet and keeps answering', async () => {
    const garbage = Buffer.from('0001ffffffffffffffffffffc0ff', 'hex'); // header then a bad pointer
    expect(await udpExchange(garbage, 300)).toBeUndefined();
    expect(await udpExchange(Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    // A response (QR set) is not answered either: no reflection loops.
    const reflected = dnsPacket.encode({ ...query('good.perimeter.test', 'A'), type: 'response' });
    expect(await udpExchange(reflected, 300)).toBeUndefined();
    expect(await resolver().resolve4('good.perimeter.test')).toEqual(['127.0.10.1']);
  });

  it('closes a TCP connection that sends garbage and keeps answering', async () => {
    const garbage = Buffer.from('000e0001ffffffffffffffffffffc0ff', 'hex');
    const { answers, closedByServer } = await tcpExchange([garbage], 1);
    expect(answers).toEqual([]);
    expect(closedByServer).toBe(true);
    // A good query before the garbage is still answered, then the connection closes.
    const good = dnsPacket.streamEncode(query('good.perimeter.test', 'A'));
    const mixed = await tcpExchange([good, Buffer.from([0, 3, 9, 9, 9])], 2);
    expect(mixed.answers).toHaveLength(1);
    expect(mixed.closedByServer).toBe(true);
    expect(await resolver().resolve4('good.perimeter.test')).toEqual(['127.0.10.1']);
  });

  it('survives a burst of corrupted queries on UDP and TCP', async () => {
    // Deterministic corruption of valid queries: a few random bytes flipped in each.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const templates = [
      dnsPacket.encode(query('good.perimeter.test', 'A')),
      dnsPacket.encode(query('x.wild.lab.test', 'TXT', 1232)),
      dnsPacket.encode(query('longtxt.perimeter.test', 'ANY')),
    ];
    const corrupted = Array.from({ length: 400 }, (_, i) => {
      const packet = Buffer.from(templates[i % templates.length]!);
      for (let flips = 1 + random(4); flips > 0; flips--) {
        packet[random(packet.length)] = random(256);
      }
      return packet.subarray(0, packet.length - random(3));
    });
    const socket = dgram.createSocket('udp4');
    for (const packet of corrupted) socket.send(packet, server.port, server.host);
    await new Promise((r) => setTimeout(r, 300));
    socket.close();
    await Promise.all(
      corrupted.slice(0, 40).map((packet) => {
        const framed = Buffer.concat([
          Buffer.from([packet.length >> 8, packet.length & 0xff]),
          packet,
        ]);
        return tcpExchange([framed], 1);
      }),
    );
    expect(await resolver().resolve4('good.perimeter.test')).toEqual(['127.0.10.1']);
  });

  it('answers FORMERR to a query without a question', async () => {
    const response = await udpQuery({ type: 'query', id: 7, flags: 0, questions: [] });
    expect(response.rcode).toBe('FORMERR');
  });
});

describe('lab DNS server lifecycle', () => {
  it('rejects a port that is already taken', async () => {
    await expect(
      startLabDnsServer({ port: server.port, zones: [CODE_ZONE] }),
    ).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('refuses to serve one zone twice', async () => {
    await expect(startLabDnsServer({ zones: [CODE_ZONE, CODE_ZONE] })).rejects.toThrow(
      /served twice/,
    );
  });

  it('closes promptly even with an open TCP connection, and frees the port', async () => {
    const other = await startLabDnsServer({ zones: [CODE_ZONE] });
    const socket = net.connect(other.port, other.host);
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await other.close();
    await closed;
    const again = await startLabDnsServer({ port: other.port, zones: [CODE_ZONE] });
    expect(again.port).toBe(other.port);
    await again.close();
  });
});

describe('ZoneSet', () => {
  it('normalises zones built in code (any case, trailing dots)', () => {
    const zones = new ZoneSet([
      {
        origin: 'Code.Test.',
        records: CODE_ZONE.records.map((r) => ({ ...r, name: `${r.name.toUpperCase()}.` })),
      },
    ]);
    expect(zones.answer('code.test', 'TXT')).toMatchObject({
      rcode: 0,
      authoritative: true,
      answers: [{ name: 'code.test', type: 'TXT' }],
    });
    expect(zones.answer('nope.code.test', 'A')).toMatchObject({ rcode: 3 });
    expect(zones.answer('other.test', 'A')).toMatchObject({ rcode: 5, authoritative: false });
  });
});

describe('udpDelayMs', () => {
  it('holds back answers for the chosen names only', async () => {
    const zone = parseZoneFile(
      '$ORIGIN slow.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 60 60 60 60\n@ IN A 127.0.0.1\nfast IN A 127.0.0.2\n',
    );
    const server = await startLabDnsServer({
      zones: [zone],
      udpDelayMs: (q) => (q.name === 'slow.test' ? 400 : 0),
    });
    try {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([server.address]);
      const t0 = performance.now();
      expect(await resolver.resolve4('fast.slow.test')).toEqual(['127.0.0.2']);
      const fast = performance.now() - t0;
      const t1 = performance.now();
      expect(await resolver.resolve4('slow.test')).toEqual(['127.0.0.1']);
      const slow = performance.now() - t1;
      expect(fast).toBeLessThan(300);
      expect(slow).toBeGreaterThanOrEqual(390);
    } finally {
      await server.close();
    }
  });
});

describe('DNSSEC validation emulation (lab only: nothing is signed)', () => {
  /** A query with EDNS, and the DO and CD bits as asked. */
  function dnssecQuery(
    name: string,
    type: dnsPacket.RecordType,
    bits: { dnssecOk?: boolean; checkingDisabled?: boolean } = {},
  ): dnsPacket.Packet {
    return {
      type: 'query',
      id: nextId++,
      flags:
        dnsPacket.RECURSION_DESIRED | (bits.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
      questions: [{ name, type, class: 'IN' }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: bits.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
          flag_do: bits.dnssecOk ?? false,
          options: [],
        },
      ],
    };
  }

  it('sets AD for a zone with a DNSKEY at its apex when the query has DO, and echoes DO', async () => {
    const response = await udpQuery(
      dnssecQuery('dnssec-signed.perimeter.test', 'A', { dnssecOk: true }),
    );
    expect(response.rcode).toBe('NOERROR');
    expect(response.flag_ad).toBe(true);
    expect(response.additionals).toMatchObject([{ type: 'OPT', flag_do: true }]);
    // NXDOMAIN in a secure zone is authenticated denial: AD too.
    const missing = await udpQuery(
      dnssecQuery('nope.dnssec-signed.perimeter.test', 'A', { dnssecOk: true }),
    );
    expect(missing).toMatchObject({ rcode: 'NXDOMAIN', flag_ad: true });
  });

  it('leaves AD clear without DO, and for unsigned zones', async () => {
    const noDo = await udpQuery(dnssecQuery('dnssec-signed.perimeter.test', 'A'));
    expect(noDo.flag_ad).toBe(false);
    const unsigned = await udpQuery(
      dnssecQuery('dnssec-unsigned.perimeter.test', 'A', { dnssecOk: true }),
    );
    expect(unsigned).toMatchObject({ rcode: 'NOERROR', flag_ad: false });
    const good = await udpQuery(dnssecQuery('good.perimeter.test', 'A', { dnssecOk: true }));
    expect(good.flag_ad).toBe(false);
  });

  it('answers SERVFAIL for a bogus zone, and the data when CD is set', async () => {
    const bogus = await udpQuery(
      dnssecQuery('dnssec-bogus.perimeter.test', 'A', { dnssecOk: true }),
    );
    expect(bogus).toMatchObject({ rcode: 'SERVFAIL', flag_ad: false, answers: [] });
    const cd = await udpQuery(
      dnssecQuery('dnssec-bogus.perimeter.test', 'A', { dnssecOk: true, checkingDisabled: true }),
    );
    expect(cd.rcode).toBe('NOERROR');
    expect(cd.flag_ad).toBe(false);
    expect(cd.answers).toMatchObject([{ type: 'A', data: '127.0.25.21' }]);
    // Node's resolver (no CD) sees the failure as a validating resolver's client would.
    expect(await errorCode(resolver().resolve4('dnssec-bogus.perimeter.test'))).toBe('ESERVFAIL');
  });

  it('answers a child apex DS from the served parent zone', async () => {
    const ds = await udpQuery(
      dnssecQuery('dnssec-chain.dnssec-parent.perimeter.test', 'DS', { dnssecOk: true }),
    );
    expect(ds.rcode).toBe('NOERROR');
    expect(ds.answers).toMatchObject([
      { name: 'dnssec-chain.dnssec-parent.perimeter.test', type: 'DS', data: { keyTag: 31624 } },
    ]);
    expect(ds.flag_ad).toBe(true); // the parent is secure
    // Other types at the child apex still come from the child zone.
    const key = await udpQuery(dnssecQuery('dnssec-chain.dnssec-parent.perimeter.test', 'DNSKEY'));
    expect(key.answers).toMatchObject([{ type: 'DNSKEY', data: { algorithm: 15 } }]);
    // No served parent: the zone itself answers NODATA, with its SOA.
    const lone = await udpQuery(dnssecQuery('dnssec-signed.perimeter.test', 'DS'));
    expect(lone).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(lone.authorities).toMatchObject([{ name: 'dnssec-signed.perimeter.test', type: 'SOA' }]);
  });

  it('follows the chain through a served parent: DS+DNSKEY secure, no DS insecure, DS only bogus', async () => {
    const ask = (name: string) => udpQuery(dnssecQuery(name, 'SOA', { dnssecOk: true }));
    expect(await ask('dnssec-chain.dnssec-parent.perimeter.test')).toMatchObject({
      rcode: 'NOERROR',
      flag_ad: true,
    });
    expect(await ask('dnssec-island.dnssec-parent.perimeter.test')).toMatchObject({
      rcode: 'NOERROR',
      flag_ad: false,
    });
    expect(await ask('dnssec-ds-only.dnssec-parent.perimeter.test')).toMatchObject({
      rcode: 'SERVFAIL',
    });
  });

  it('can be switched off', async () => {
    const zones = await loadZoneDir(join(__dirname, '..', 'zones'));
    const plain = await startLabDnsServer({ zones, emulateDnssecValidation: false });
    try {
      const r = new Resolver({ timeout: 2000, tries: 1 });
      r.setServers([plain.address]);
      expect(await r.resolve4('dnssec-bogus.perimeter.test')).toEqual(['127.0.25.21']);
    } finally {
      await plain.close();
    }
  });

  it('ZoneSet#dnssecStatus gives the verdict per zone, and undefined outside', () => {
    const zones = new ZoneSet([
      parseZoneFile(
        '$ORIGIN p.test.\n$TTL 60\n@ SOA ns h 1 60 60 60 60\n@ DNSKEY 257 3 15 AAAA\nc NS ns.c\nc DS 1 15 2 00\n',
      ),
      parseZoneFile('$ORIGIN c.p.test.\n$TTL 60\n@ SOA ns h 1 60 60 60 60\n'),
      parseZoneFile(
        '$ORIGIN b.test.\n$TTL 60\n@ SOA ns h 1 60 60 60 60\n@ TXT "lab-dnssec=bogus"\n',
      ),
      parseZoneFile(
        '$ORIGIN u.b.test.\n$TTL 60\n@ SOA ns h 1 60 60 60 60\n@ DNSKEY 257 3 15 AAAA\n',
      ),
    ]);
    expect(zones.dnssecStatus('www.p.test', 'A')).toBe('secure');
    expect(zones.dnssecStatus('c.p.test', 'A')).toBe('bogus');
    expect(zones.dnssecStatus('c.p.test', 'DS')).toBe('secure'); // answered by the parent
    expect(zones.dnssecStatus('b.test', 'A')).toBe('bogus');
    expect(zones.dnssecStatus('u.b.test', 'A')).toBe('bogus'); // a bogus parent taints the child
    expect(zones.dnssecStatus('example.com', 'A')).toBeUndefined();
  });
});
