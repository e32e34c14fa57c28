import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveLabFile, type LabHttpsFile } from '../https/https-server';

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
    serveLabFile(sites, hanging, req, res);
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
