import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestClamd, type TestClamd } from '../../test/support/clamd';
import {
  ClamdClient,
  ClamdUnavailable,
  parseClamdAddress,
  parseClamdVersion,
  parseInstreamReply,
} from './clamd-client';

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** A stream of `total` bytes in 64 KiB chunks that never exists in memory all at once. */
function generated(total: number, tail = ''): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(tail ? Buffer.from(tail) : null);
        if (tail) this.push(null);
        return;
      }
      const n = Math.min(65536, total - sent);
      sent += n;
      this.push(Buffer.alloc(n, 0x61));
    },
  });
}

describe('clamd client (real clamd, lab signatures)', () => {
  let clamd: TestClamd;
  beforeAll(async () => {
    clamd = await startTestClamd();
  }, 60_000);
  afterAll(() => clamd?.stopAndClean());

  it('reports the engine and the signature database version over TCP and the Unix socket', async () => {
    for (const address of [parseClamdAddress(clamd.address), { path: clamd.socketPath }]) {
      const v = await new ClamdClient(address).version();
      expect(v.engine).toMatch(/^\d+\.\d+/);
      expect(v.databaseVersion).toBe(1);
      expect(v.databaseTime).toBeInstanceOf(Date);
    }
  });

  it('streams objects: clean, EICAR after a megabyte, and stops at the limit', async () => {
    const c = new ClamdClient(parseClamdAddress(clamd.address));
    expect(await c.scanStream(Readable.from([Buffer.from('hello')]), 1000)).toEqual({
      status: 'clean',
      bytes: 5,
    });
    expect(await c.scanStream(Readable.from([]), 1000)).toEqual({ status: 'clean', bytes: 0 });
    const infected = await c.scanStream(generated(1024 * 1024, EICAR), 10 * 1024 * 1024);
    expect(infected).toMatchObject({ status: 'infected', bytes: 1024 * 1024 + 68 });
    // Our limit: reading stops after it.
    const ours = await c.scanStream(generated(50 * 1024 * 1024), 1024 * 1024);
    expect(ours.status).toBe('too-large');
    expect(ours.bytes).toBeLessThan(2 * 1024 * 1024);
  });

  it('says clamd is unavailable when nothing listens', async () => {
    const c = new ClamdClient({ host: '127.0.0.1', port: 1 });
    await expect(c.version()).rejects.toBeInstanceOf(ClamdUnavailable);
  });

  it('parses replies and addresses', () => {
    expect(parseInstreamReply('stream: Eicar-Test-Signature FOUND\0')).toEqual({
      status: 'infected',
      signatures: ['Eicar-Test-Signature'],
    });
    expect(parseInstreamReply('INSTREAM size limit exceeded. ERROR\0')).toEqual({
      status: 'too-large',
    });
    expect(() => parseInstreamReply('stream: lstat() failed. ERROR')).toThrow(/clamd/);
    expect(parseClamdVersion('ClamAV 1.4.6')).toMatchObject({
      engine: '1.4.6',
      databaseVersion: null,
      databaseTime: null,
    });
    expect(parseClamdAddress('/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('[::1]:3310')).toEqual({ host: '::1', port: 3310 });
    expect(() => parseClamdAddress('clamd')).toThrow(/host:port/);
  });
});
