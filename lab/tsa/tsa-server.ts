import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLabTsaPki, type LabTsaPki } from './lab-tsa-pki';

const run = promisify(execFile);

/** A lab time-stamping policy OID (under the documentation arc; nothing real uses it). */
export const LAB_TSA_POLICY = '1.3.6.1.4.1.55555.3161.1';
const MAX_QUERY_BYTES = 16 * 1024;
// Key generation is the slow part: lab TSAs in one process share a hierarchy unless given one.
let defaultPki: LabTsaPki | undefined;

export interface LabTsaOptions {
  host?: string;
  /** 0 (default): ephemeral. Give the old port to bring a stopped TSA back at the same URL. */
  port?: number;
  /** Reuse a hierarchy (a TSA restarted after "going down" keeps its certificates). */
  pki?: LabTsaPki;
}

export interface LabTsa {
  /** POST a TimeStampReq (`application/timestamp-query`) here. */
  url: string;
  port: number;
  pki: LabTsaPki;
  /** A PEM file holding the root: the TSA's trust anchor for Perimeter and `openssl ts -verify`. */
  rootFile: string;
  /** Replies given so far. */
  replies: number;
  close(): Promise<void>;
}

function opensslConfig(dir: string): string {
  // `openssl ts -reply` reads everything from this section (OpenSSL 3 `ts` manual page).
  return `[ tsa ]
default_tsa = lab_tsa

[ lab_tsa ]
dir = ${dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/signer.pem
certs = $dir/chain.pem
signer_key = $dir/signer.key
signer_digest = sha256
default_policy = ${LAB_TSA_POLICY}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

/**
 * A real RFC 3161 Time-Stamp Authority on loopback: `openssl ts -reply` behind a small HTTP
 * endpoint (RFC 3161 section 3.4), signing with a lab certificate chain made at start.
 */
export async function startLabTsa(options: LabTsaOptions = {}): Promise<LabTsa> {
  const pki = options.pki ?? (defaultPki ??= createLabTsaPki());
  const dir = await mkdtemp(path.join(tmpdir(), 'perimeter-lab-tsa-'));
  await Promise.all([
    writeFile(path.join(dir, 'signer.pem'), pki.signerPem),
    writeFile(path.join(dir, 'signer.key'), pki.signerKeyPem, { mode: 0o600 }),
    writeFile(path.join(dir, 'chain.pem'), pki.intermediatePem + pki.rootPem),
    writeFile(path.join(dir, 'root.pem'), pki.rootPem),
    // Random start so two lab TSAs (or a restarted one) never reuse a serial.
    writeFile(path.join(dir, 'serial'), `${randomBytes(8).toString('hex')}\n`),
    writeFile(path.join(dir, 'openssl.cnf'), opensslConfig(dir)),
  ]);

  let queue: Promise<unknown> = Promise.resolve();
  let counter = 0;
  const state = { replies: 0 };

  /** One `openssl ts -reply` at a time: it rewrites the serial file. */
  function reply(query: Buffer): Promise<Buffer> {
    const next = queue.then(async () => {
      const id = counter++;
      const queryFile = path.join(dir, `q${id}.tsq`);
      const replyFile = path.join(dir, `r${id}.tsr`);
      await writeFile(queryFile, query);
      try {
        await run('openssl', [
          'ts',
          '-reply',
          '-config',
          path.join(dir, 'openssl.cnf'),
          '-queryfile',
          queryFile,
          '-out',
          replyFile,
        ]);
        return await readFile(replyFile);
      } finally {
        await Promise.all([rm(queryFile, { force: true }), rm(replyFile, { force: true })]);
      }
    });
    queue = next.catch(() => undefined);
    return next;
  }

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end('POST a TimeStampReq\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_QUERY_BYTES) {
        res.writeHead(413).end('query too large\n');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      reply(Buffer.concat(chunks)).then(
        (der) => {
          state.replies++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(der);
        },
        (err: Error & { stderr?: string }) => {
          // openssl refuses malformed queries: answer like a TSA that cannot parse the request.
          res.writeHead(400, { 'content-type': 'text/plain' }).end(err.stderr ?? err.message);
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/tsr`,
    port,
    pki,
    rootFile: path.join(dir, 'root.pem'),
    get replies() {
      return state.replies;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
