import path from 'node:path';
import { projectRoot } from '../libs/embedded/paths';
import { loadZoneDir, startLabDnsServer, type LabDnsServerOptions, type LabDnsServer } from './dns';

export interface LabOptions {
  host?: string;
  dnsPort?: number;
  /** Folder of `*.zone` master files; defaults to `lab/zones`. */
  zonesDir?: string;
  onDnsQuery?: LabDnsServerOptions['onQuery'];
  dnsUdpDelayMs?: LabDnsServerOptions['udpDelayMs'];
}

export interface Lab {
  dns: LabDnsServer;
  /** What to put in SCANNER_RESOLVERS so scanners ask the lab. */
  resolvers: string[];
  close(): Promise<void>;
}

/** The fake internet on loopback: for now, an authoritative DNS server for the lab zones. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const zones = await loadZoneDir(options.zonesDir ?? path.join(projectRoot(), 'lab', 'zones'));
  const dns = await startLabDnsServer({
    host: options.host ?? '127.0.0.1',
    port: options.dnsPort ?? 0,
    zones,
    onQuery: options.onDnsQuery,
    udpDelayMs: options.dnsUdpDelayMs,
  });
  return { dns, resolvers: [dns.address], close: () => dns.close() };
}
