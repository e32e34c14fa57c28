import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabTsaPki } from '../../lab/tsa/lab-tsa-pki';
import { startLabTsa, type LabTsa } from '../../lab/tsa/tsa-server';
import { canonicalBytes, sha256 } from './canonical';
import { TsaResponseRejected, TsaUnavailable } from './proof.errors';
import { loadTsas, requestTimestamp, type LoadedTsa } from './tsa-client';
import {
  buildTimeStampRequest,
  certificatesFromPem,
  checkTimeStampResponse,
  verifyTimeStampToken,
} from './tsp';

const run = promisify(execFile);

// Each case runs openssl and RSA key generation: seconds on a loaded machine.
describe(
  'RFC 3161 time-stamps against a real local TSA (openssl ts -reply)',
  { timeout: 30_000 },
  () => {
    let tsa: LabTsa;
    let trusted: LoadedTsa;
    let dir: string;

    beforeAll(async () => {
      tsa = await startLabTsa();
      trusted = { name: 'lab', url: tsa.url, roots: certificatesFromPem(tsa.pki.rootPem) };
      dir = await mkdtemp(path.join(tmpdir(), 'perimeter-tsp-'));
    });
    afterAll(async () => {
      await tsa?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const document = { b: [1, 2.5, 'é'], a: { z: null, y: true } };

    it('canonicalises independently of key order (RFC 8785)', () => {
      expect(canonicalBytes(document).toString()).toBe('{"a":{"y":true,"z":null},"b":[1,2.5,"é"]}');
      expect(canonicalBytes({ a: { y: true, z: null }, b: [1, 2.5, 'é'] })).toEqual(
        canonicalBytes(document),
      );
    });

    it('gets a checked token, which `openssl ts -verify` accepts', async () => {
      const data = canonicalBytes(document);
      const { token, info, tsa: name } = await requestTimestamp(sha256(data), [trusted], 5000);
      expect(name).toBe('lab');
      expect(info.tsaName).toBe('lab');
      expect(info.imprint).toBe(sha256(data).toString('hex'));
      expect(Math.abs(info.genTime.getTime() - Date.now())).toBeLessThan(60_000);
      expect(info.signer).toContain('CN=Perimeter Lab TSA');

      await writeFile(path.join(dir, 'result.json'), data);
      await writeFile(path.join(dir, 'token.der'), token);
      await writeFile(path.join(dir, 'root.pem'), tsa.pki.rootPem);
      const { stdout } = await run('openssl', [
        'ts',
        '-verify',
        '-data',
        path.join(dir, 'result.json'),
        '-in',
        path.join(dir, 'token.der'),
        '-token_in',
        '-CAfile',
        path.join(dir, 'root.pem'),
      ]);
      expect(stdout).toContain('Verification: OK');
    });

    it("verifies a token made with `openssl ts` by Perimeter's verifier", async () => {
      const data = canonicalBytes({ made: 'by openssl' });
      await writeFile(path.join(dir, 'o.json'), data);
      await run('openssl', [
        'ts',
        '-query',
        '-data',
        path.join(dir, 'o.json'),
        '-sha256',
        '-cert',
        '-out',
        path.join(dir, 'o.tsq'),
      ]);
      const reply = await fetch(tsa.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: await readFile(path.join(dir, 'o.tsq')),
      });
      await writeFile(path.join(dir, 'o.tsr'), Buffer.from(await reply.arrayBuffer()));
      await run('openssl', [
        'ts',
        '-reply',
        '-in',
        path.join(dir, 'o.tsr'),
        '-token_out',
        '-out',
        path.join(dir, 'o.token'),
      ]);
      const token = await readFile(path.join(dir, 'o.token'));
      const verdict = await verifyTimeStampToken(token, { digest: sha256(data), tsas: [trusted] });
      expect(verdict.failures).toEqual([]);
      expect(verdict.valid).toBe(true);
      expect(verdict.info?.tsaName).toBe('lab');
    });

    it('says exactly what failed: altered result, unknown TSA, bad signature, not a token', async () => {
      const digest = sha256(canonicalBytes(document));
      const { token } = await requestTimestamp(digest, [trusted], 5000);

      const altered = await verifyTimeStampToken(token, {
        digest: sha256(canonicalBytes({ ...document, b: [1] })),
        tsas: [trusted],
      });
      expect(altered.valid).toBe(false);
      expect(altered.failures.map((f) => f.code)).toEqual(['ALTERED_RESULT']);

      const stranger = {
        name: 'other',
        url: '',
        roots: certificatesFromPem(createLabTsaPki('Other').rootPem),
      };
      const unknown = await verifyTimeStampToken(token, { digest, tsas: [stranger] });
      expect(unknown.failures.map((f) => f.code)).toEqual(['UNKNOWN_TSA']);
      expect(unknown.failures[0]!.message).toContain('Perimeter Lab TSA');

      // Flip one bit of the CMS signature value.
      const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(token));
      const signed = new pkijs.SignedData({ schema: contentInfo.content });
      const signature = new Uint8Array(signed.signerInfos[0]!.signature.valueBlock.valueHexView);
      signature[10]! ^= 0x01;
      signed.signerInfos[0]!.signature.valueBlock.valueHexView = signature;
      const forged = Buffer.from(
        new pkijs.ContentInfo({
          contentType: contentInfo.contentType,
          content: signed.toSchema(true),
        })
          .toSchema()
          .toBER(false),
      );
      const bad = await verifyTimeStampToken(forged, { digest, tsas: [trusted] });
      expect(bad.failures.map((f) => f.code)).toEqual(['BAD_SIGNATURE']);

      const garbage = await verifyTimeStampToken(Buffer.from('not a token'), {
        digest,
        tsas: [trusted],
      });
      expect(garbage.failures.map((f) => f.code)).toEqual(['MALFORMED_TOKEN']);
    });

    it('refuses a reply to another request (nonce) and a TSA outside its own roots', async () => {
      const digest = sha256(Buffer.from('x'));
      const first = buildTimeStampRequest(digest);
      const reply = Buffer.from(
        await (
          await fetch(tsa.url, { method: 'POST', body: new Uint8Array(first.der) })
        ).arrayBuffer(),
      );
      const other = buildTimeStampRequest(digest);
      await expect(
        checkTimeStampResponse(reply, { digest, nonce: other.nonce, tsas: [trusted] }),
      ).rejects.toThrow(/different nonce/);
      await expect(
        checkTimeStampResponse(reply, {
          digest: sha256(Buffer.from('y')),
          nonce: first.nonce,
          tsas: [trusted],
        }),
      ).rejects.toBeInstanceOf(TsaResponseRejected);
      const ok = await checkTimeStampResponse(reply, {
        digest,
        nonce: first.nonce,
        tsas: [trusted],
      });
      expect(ok.info.nonce?.replace(/^0+/, '')).toBe(first.nonce.replace(/^0+/, ''));
    });

    it('refuses unreadable trust roots at start-up, naming the TSA and the file', async () => {
      await expect(
        loadTsas({
          tsas: [{ name: 'x', url: tsa.url, caFiles: ['/nonexistent.pem'] }],
          timeoutMs: 1,
        }),
      ).rejects.toThrow(/TSA "x": cannot read CA file \/nonexistent.pem/);
      await writeFile(path.join(dir, 'empty.pem'), 'no certificates here');
      await expect(
        loadTsas({
          tsas: [{ name: 'y', url: tsa.url, caFiles: [path.join(dir, 'empty.pem')] }],
          timeoutMs: 1,
        }),
      ).rejects.toThrow(/TSA "y": no PEM certificate/);
    });

    it('stops reading a reply larger than 1 MiB, and refuses a reply that is not a TimeStampResp', async () => {
      const server = createServer((req, res) => {
        req.resume();
        if (req.url === '/huge') res.end(Buffer.alloc(2 * 1024 * 1024, 0x30));
        else res.end('<html>hello</html>');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const digest = sha256(Buffer.from('h'));
        const at = (p: string) => [{ ...trusted, name: p, url: `${base}/${p}` }];
        await expect(requestTimestamp(digest, at('huge'), 5000)).rejects.toThrow(
          /reply larger than/,
        );
        await expect(requestTimestamp(digest, at('html'), 5000)).rejects.toThrow(
          /not a TimeStampResp/,
        );
      } finally {
        server.close();
      }
    });

    it('reports a TSA that is down as unavailable, and fails over to the next one', async () => {
      const down = await startLabTsa({ pki: tsa.pki });
      const downTsa = { ...trusted, name: 'down', url: down.url };
      await down.close();
      await expect(
        requestTimestamp(sha256(Buffer.from('z')), [downTsa], 2000),
      ).rejects.toBeInstanceOf(TsaUnavailable);
      const result = await requestTimestamp(sha256(Buffer.from('z')), [downTsa, trusted], 2000);
      expect(result.tsa).toBe('lab');
    });
  },
);
