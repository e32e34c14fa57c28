import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LabHttpsFile } from '../https/https-server';

export interface LabHttpSite {
  /** By path (without query string); any other path is 404. */
  files: Record<string, LabHttpsFile>;
}

export interface LabHttpServerOptions {
  host?: string;
  /** 0 (default): an ephemeral port, told to scanners through `https.httpPort` (SCANNER_HTTP_PORT). */
  port?: number;
  sites: Record<string, LabHttpSite>;
}

export interface LabHttpServer {
  port: number;
  /** Requests answered so far (the web benchmark reports them). */
  requests(): number;
  close(): Promise<void>;
}

/** One plain-HTTP server for every lab web site: the Host header picks the site (unknown → 421). */
export async function startLabHttpServer(options: LabHttpServerOptions): Promise<LabHttpServer> {
  const sites = new Map(Object.entries(options.sites).map(([h, s]) => [h.toLowerCase(), s]));
  const hanging = new Set<http.ServerResponse>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
