import net from 'node:net';
import tls from 'node:tls';
import { handleLegacyConnection } from './legacy-hello-server';
import type { LabTlsHost } from './tls-postures';

export interface LabTlsServers {
  /** Every host listens on this port at its own address (scanners get it as the port). */
  port: number;
  close(): Promise<void>;
}

function serverFor(host: LabTlsHost): net.Server {
  const p = host.posture;
  if (p.kind === 'legacy') return net.createServer((socket) => handleLegacyConnection(p, socket));
  const server = tls.createServer({
    cert: p.certPem,
    key: p.keyPem,
    minVersion: p.minVersion,
    maxVersion: p.maxVersion,
    ciphers: p.ciphers,
    honorCipherOrder: true,
  });
  if (p.ocsp) {
    server.on(
      'OCSPRequest',
      (_cert: Buffer, _issuer: Buffer, done: (e: Error | null, r?: Buffer) => void) =>
        done(null, Buffer.from('perimeter-lab-ocsp-response')),
    );
  }
  // Probes hang up mid-handshake on purpose: that is not worth a log line.
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (socket) => {
    socket.on('error', () => socket.destroy());
    socket.end();
  });
  return server;
}

function listen(server: net.Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.removeListener('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

const closeAll = (servers: net.Server[]) =>
  Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s.listening) return resolve();
          s.close(() => resolve());
          (s as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    ),
  ).then(() => undefined);

/**
 * Starts one server per host, all on the same port (the first one's, ephemeral unless given), each
 * on its own loopback address. Retries on a fresh port if another process holds it somewhere.
 */
export async function startOnSharedPort<H extends { address: string }>(
  hosts: H[],
  make: (host: H) => net.Server,
  fixedPort?: number,
): Promise<LabTlsServers> {
  for (let attempt = 0; ; attempt++) {
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    try {
      let port = fixedPort ?? 0;
      for (const host of hosts) {
        const server = make(host);
        server.on('connection', (s: net.Socket) => {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
        });
        servers.push(server);
        port = await listen(server, host.address, port);
      }
      return {
        port,
        close: async () => {
          for (const s of sockets) s.destroy();
          await closeAll(servers);
        },
      };
    } catch (err) {
      for (const s of sockets) s.destroy();
      await closeAll(servers);
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' || fixedPort || attempt >= 5) throw err;
    }
  }
}

/** The lab TLS postures, each on its own address, all on one port. */
export function startLabTlsServers(hosts: LabTlsHost[], port?: number): Promise<LabTlsServers> {
  return startOnSharedPort(hosts, serverFor, port);
}
