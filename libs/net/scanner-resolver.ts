import { promises as dns } from 'node:dns';

export interface ScannerResolverOptions {
  /** `host:port` entries; empty means the machine's configured nameservers. */
  servers: string[];
  timeoutMs: number;
  tries: number;
}

/**
 * The resolver every scanner uses. It asks the configured servers directly (c-ares), never the
 * operating system's `getaddrinfo`, so tests and the lab decide what a name means.
 */
export function createScannerResolver(options: ScannerResolverOptions): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers.length > 0) resolver.setServers(options.servers);
  return resolver;
}
