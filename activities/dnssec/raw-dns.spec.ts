import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { parseServerAddress, rawQuery, type DnsServerAddress } from './raw-dns';

let lab: Lab;
let server: DnsServerAddress;

beforeAll(async () => {
  lab = await startLab();
  server = parseServerAddress(lab.resolvers[0]!)!;
});

afterAll(async () => {
  await lab?.close();
});

describe('rawQuery', () => {
  it('asks over UDP with EDNS and DO, and reads AD', async () => {
    const result = await rawQuery(server, 'dnssec-signed.perimeter.test', 'DNSKEY', {
      dnssecOk: true,
      timeoutMs: 1000,
      retries: 0,
    });
    expect(result).toMatchObject({
      ok: true,
      response: { rcode: 'NOERROR', authenticated: true, transport: 'udp' },
    });
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const result = await rawQuery(server, 'longtxt.perimeter.test', 'TXT', {
      timeoutMs: 1000,
      retries: 0,
    });
    expect(result.ok && result.response.transport).toBe('tcp');
    expect(result.ok && result.response.answers).toHaveLength(30);
  });

  it('gives the rcode of a negative answer, and an error code when nobody answers', async () => {
    const refused = await rawQuery(server, 'example.com', 'SOA', { timeoutMs: 1000, retries: 0 });
    expect(refused).toMatchObject({ ok: true, response: { rcode: 'REFUSED' } });
    const dead = await rawQuery({ host: '127.0.0.1', port: 9 }, 'example.com', 'SOA', {
      timeoutMs: 200,
      retries: 1,
    });
    expect(dead).toMatchObject({ ok: false, code: expect.stringMatching(/^E/) });
  });
});
