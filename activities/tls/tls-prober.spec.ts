import { describe, expect, it } from 'vitest';
import { legacyReply } from '../../lab/tls/legacy-hello-server';
import { buildClientHello, buildSsl2ClientHello } from './client-hello';
import { parseServerReply } from './server-reply';
import { limiter, probeTls } from './tls-prober';

const record = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);

describe('parseServerReply', () => {
  it('an alert, with its description', () => {
    expect(parseServerReply(record(21, Buffer.from([2, 40])))).toEqual({
      kind: 'alert',
      level: 2,
      description: 40,
    });
  });

  it('waits for more bytes while a record or a message is incomplete', () => {
    const full = legacyReply(
      { versions: [0x0303], suites: [0x002f], certificates: [Buffer.alloc(300, 1)] },
      buildClientHello({ version: 'tls1.2', suites: [0x002f] }),
    )!;
    for (const cut of [1, 4, 5, 50, full.length - 1]) {
      expect(parseServerReply(full.subarray(0, cut))).toBeUndefined();
    }
    expect(parseServerReply(full)).toMatchObject({
      kind: 'hello',
      hello: { version: 'tls1.2', suite: 0x002f, compression: 0 },
      certificates: [Buffer.alloc(300, 1)],
    });
  });

  it('hostile bytes are "garbage", never an exception', () => {
    expect(parseServerReply(Buffer.from('220 mail.example ESMTP\r\n'))).toMatchObject({
      kind: 'garbage',
    });
    // A record announcing more than TLS allows.
    expect(parseServerReply(Buffer.from([22, 3, 3, 0xff, 0xff]))).toMatchObject({
      kind: 'garbage',
    });
    // A ServerHello message too short for its own fields.
    const shortHello = Buffer.from([2, 0, 0, 3, 3, 3, 0]);
    expect(
      parseServerReply(record(22, Buffer.concat([shortHello, Buffer.from([14, 0, 0, 0])]))),
    ).toMatchObject({
      kind: 'garbage',
    });
    // ServerHelloDone with no ServerHello before it.
    expect(parseServerReply(record(22, Buffer.from([14, 0, 0, 0])))).toMatchObject({
      kind: 'garbage',
      detail: 'ServerHelloDone without ServerHello',
    });
    // Application data before any handshake.
    expect(parseServerReply(record(23, Buffer.alloc(10)))).toMatchObject({ kind: 'garbage' });
  });

  it('an SSL 2.0 SERVER-HELLO: the cipher kinds and the certificate', () => {
    const reply = legacyReply(
      {
        versions: [0x0002],
        suites: [],
        ssl2Ciphers: [0x010080, 0x0700c0],
        certificates: [Buffer.from('cert')],
      },
      buildSsl2ClientHello(),
    )!;
    expect(parseServerReply(reply, true)).toEqual({
      kind: 'ssl2-hello',
      ciphers: ['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5'],
      certificates: [Buffer.from('cert')],
    });
  });
});

describe('buildClientHello', () => {
  it('SSL 3.0 hellos carry no extensions; TLS 1.3 hellos say so in supported_versions', () => {
    const ssl3 = buildClientHello({ version: 'ssl3', suites: [0x000a], noExtensions: true });
    // record(5) + handshake header(4) + version(2) + random(32) + session id(1) + suites(2+2) + compression(1+1)
    expect(ssl3.length).toBe(5 + 4 + 2 + 32 + 1 + 4 + 2);
    expect(ssl3.subarray(0, 3)).toEqual(Buffer.from([22, 3, 0]));
    const tls13 = buildClientHello({ version: 'tls1.3', suites: [0x1301], sni: 'example.org' });
    expect(tls13.includes(Buffer.from([0, 43, 0, 3, 2, 3, 4]))).toBe(true);
    expect(tls13.includes(Buffer.from('example.org'))).toBe(true);
  });
});

describe('limiter', () => {
  it('never runs more than its maximum at once, newcomers included', async () => {
    const run = limiter(2);
    let active = 0;
    let peak = 0;
    const task = () =>
      run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      });
    const first = Array.from({ length: 5 }, task);
    await new Promise((r) => setTimeout(r, 6));
    await Promise.all([...first, ...Array.from({ length: 5 }, task)]);
    expect(peak).toBe(2);
  });
});

describe('probeTls cancellation', () => {
  it('once the signal is aborted no handshake starts, and nothing is claimed', async () => {
    const connect = () => Promise.reject(new Error('must not connect'));
    const r = await probeTls(
      { connect },
      { timeoutMs: 1000, concurrency: 2, signal: AbortSignal.abort() },
    );
    expect(r.handshakes).toBe(0);
    expect(r.reachable).toBe(false);
    expect(Object.values(r.protocols)).toEqual(Array(6).fill('unknown'));
  });
});
