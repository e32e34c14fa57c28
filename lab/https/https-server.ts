import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createLabCa } from './lab-ca';

export interface LabHttpsFile {
  status?: number;
  contentType?: string;
  body: string | Buffer;
  /** An array sends the header several times (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  /** Accept the request and never answer (for timeout tests). */
  hang?: boolean;
}

export interface LabHttpsSite {
  /** By path (without query string); any other path is 404. */
  files: Record<string, LabHttpsFile>;
  /**
   * Which certificate the host presents; `valid` (lab CA) by default. `wrong-host`: a lab-CA
   * certificate for another name; `none`: the handshake is refused (the host has no HTTPS).
   */
  cert?: 'valid' | 'expired' | 'self-signed' | 'wrong-host' | 'none';
}

export interface LabHttpsServerOptions {
  host?: string;
  /** 0 (default): an ephemeral port, told to scanners through `https.port`. */
  port?: number;
  sites: Record<string, LabHttpsSite>;
}

export interface LabHttpsServer {
  port: number;
  /** The lab CA that issued the `valid` certificates. */
  caPem: string;
  close(): Promise<void>;
}

/**
 * Answers one request from the lab's sites, by Host header (unknown host → 421) and path (unknown
 * → 404); a `hang` file is never answered (timeout postures). Shared by the HTTP and HTTPS servers.
 */
export function serveLabFile(
  sites: Map<string, { files: Record<string, LabHttpsFile> }>,
  hanging: Set<ServerResponse>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const site = sites.get(host);
  if (!site) {
    res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request\n');
    return;
  }
  const file = site.files[(req.url ?? '/').split('?')[0]!];
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  if (file.hang) {
    hanging.add(res);
    return;
  }
  res.writeHead(file.status ?? 200, {
    'content-type': file.contentType ?? 'text/plain',
    ...file.headers,
  });
  res.end(file.body);
}

/**
 * One TLS server for every lab HTTPS site: SNI picks the certificate for the hostname, the Host
 * header picks the site (unknown host → 421 Misdirected Request).
 */
export async function startLabHttpsServer(options: LabHttpsServerOptions): Promise<LabHttpsServer> {
  const ca = createLabCa();
  const sites = new Map(Object.entries(options.sites).map(([h, s]) => [h.toLowerCase(), s]));
  const valid = [...sites].filter(([, s]) => (s.cert ?? 'valid') === 'valid').map(([h]) => h);
  // All valid hosts share one certificate (signing is the slow part); others get their own.
  const shared = ca.issue(valid.length > 0 ? valid : ['localhost']);
  const sharedContext = tls.createSecureContext({ cert: shared.certPem, key: shared.keyPem });
  const contexts = new Map<string, tls.SecureContext>();
  const noTls = new Set<string>();
  for (const [host, site] of sites) {
    if (site.cert === 'none') {
      noTls.add(host);
    } else if (site.cert === 'wrong-host') {
      const issued = ca.issue([`not-${host}`]);
      contexts.set(host, tls.createSecureContext({ cert: issued.certPem, key: issued.keyPem }));
    } else if ((site.cert ?? 'valid') === 'valid') {
      contexts.set(host, sharedContext);
    } else {
      const issued = ca.issue([host], {
        expired: site.cert === 'expired',
        selfSigned: site.cert === 'self-signed',
      });
      contexts.set(host, tls.createSecureContext({ cert: issued.certPem, key: issued.keyPem }));
    }
  }
  const hanging = new Set<ServerResponse>();
  const server = https.createServer(
    {
      cert: shared.certPem,
      key: shared.keyPem,
      SNICallback: (name, cb) =>
        noTls.has(name.toLowerCase())
          ? cb(new Error(`${name} has no HTTPS`))
          : cb(null, contexts.get(name.toLowerCase()) ?? sharedContext),
    },
    (req, res) => serveLabFile(sites, hanging, req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.caPem,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
