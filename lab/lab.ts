import path from 'node:path';
import { projectRoot } from '../libs/embedded/paths';
import { loadZoneDir, startLabDnsServer, type LabDnsServerOptions, type LabDnsServer } from './dns';
import { startLabHttpServer, type LabHttpServer } from './http/http-server';
import { labWebSites } from './http/web-sites';
import { startLabHttpsServer } from './https/https-server';
import { createLabCa } from './https/lab-ca';
import { labHttpsSites } from './https/sites';
import { labSmtpHosts, startLabSmtpServers } from './smtp/smtp-server';
import { labTlsHosts } from './tls/tls-postures';
import { startLabTlsServers, type LabTlsServers } from './tls/tls-servers';

export interface LabOptions {
  host?: string;
  dnsPort?: number;
  /** Folder of `*.zone` master files; defaults to `lab/zones`. */
  zonesDir?: string;
  onDnsQuery?: LabDnsServerOptions['onQuery'];
  dnsUdpDelayMs?: LabDnsServerOptions['udpDelayMs'];
  /** Port of the lab HTTPS server (on `host`); 0 (default) is ephemeral. */
  httpsPort?: number;
  /** Port of the lab plain-HTTP server (on `host`); 0 (default) is ephemeral. */
  httpPort?: number;
}

export interface Lab {
  dns: LabDnsServer;
  /** What to put in SCANNER_RESOLVERS so scanners ask the lab. */
  resolvers: string[];
  /**
   * The lab HTTPS server: every lab HTTPS host resolves to 127.0.0.1 and is served on this port.
   * Scanners get `{ port, extraCaPems: [caPem] }` as `CheckContext.https`.
   */
  https: { port: number; caPem: string };
  /**
   * TLS postures (lab/tls): each `tls-*.perimeter.test` host has its own 127.0.5.x address, all
   * on this port. Scanners get it as `CheckContext.tls.port` (SCANNER_TLS_PORT).
   */
  tls: { port: number };
  /**
   * SMTP postures (lab/smtp): each `mail.smtp-*.perimeter.test` MX host has its own 127.0.6.x
   * address, all on this port (SCANNER_SMTP_PORT).
   */
  smtp: { port: number };
  /**
   * The lab HTTP server (web postures): every lab web host is 127.0.0.1, served on this port.
   * Scanners get it as `CheckContext.https.httpPort` (SCANNER_HTTP_PORT).
   */
  http: { port: number; requests(): number };
  close(): Promise<void>;
}

/** The fake internet on loopback: an authoritative DNS server for the lab zones and HTTPS sites. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const zones = await loadZoneDir(options.zonesDir ?? path.join(projectRoot(), 'lab', 'zones'));
  const dns = await startLabDnsServer({
    host: options.host ?? '127.0.0.1',
    port: options.dnsPort ?? 0,
    zones,
    onQuery: options.onDnsQuery,
    udpDelayMs: options.dnsUdpDelayMs,
  });
  const web = labWebSites();
  let https;
  try {
    https = await startLabHttpsServer({
      host: options.host ?? '127.0.0.1',
      port: options.httpsPort ?? 0,
      sites: { ...labHttpsSites(createLabCa()), ...web.https },
    });
  } catch (err) {
    await dns.close();
    throw err;
  }
  const httpsServer = https;
  let httpServer: LabHttpServer;
  try {
    httpServer = await startLabHttpServer({
      host: options.host ?? '127.0.0.1',
      port: options.httpPort ?? 0,
      sites: web.http,
    });
  } catch (err) {
    await Promise.all([dns.close(), httpsServer.close()]);
    throw err;
  }
  let tlsServers: LabTlsServers | undefined;
  let smtpServers: LabTlsServers | undefined;
  try {
    const ca = createLabCa();
    [tlsServers, smtpServers] = await Promise.all([
      startLabTlsServers(labTlsHosts(ca)),
      startLabSmtpServers(labSmtpHosts(ca)),
    ]);
  } catch (err) {
    await Promise.all([
      dns.close(),
      httpsServer.close(),
      httpServer.close(),
      tlsServers?.close(),
      smtpServers?.close(),
    ]);
    throw err;
  }
  const transport = { tls: tlsServers, smtp: smtpServers };
  return {
    dns,
    resolvers: [dns.address],
    https: { port: httpsServer.port, caPem: httpsServer.caPem },
    http: { port: httpServer.port, requests: httpServer.requests },
    tls: { port: transport.tls.port },
    smtp: { port: transport.smtp.port },
    close: async () => {
      await Promise.all([
        dns.close(),
        httpsServer.close(),
        httpServer.close(),
        transport.tls.close(),
        transport.smtp.close(),
      ]);
    },
  };
}
