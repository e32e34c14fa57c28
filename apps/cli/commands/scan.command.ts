import { scanDnsInventory } from '../../../activities/dns/dns-inventory.scanner';
import { loadConfig } from '../../../libs/config/config';
import { InvalidDomainName, validateDomainName } from '../../../libs/domain-name';
import { createScannerResolver } from '../../../libs/net/scanner-resolver';

/** `perimeter scan domain <name>`: the same scanner engine as the worker, without any server. */
export async function scanDomainCommand(input: string, out = console.log): Promise<number> {
  const config = loadConfig();
  let name;
  try {
    name = validateDomainName(input);
  } catch (err) {
    if (err instanceof InvalidDomainName) {
      out(`invalid domain name (${err.reason}): ${err.message}`);
      return 2;
    }
    throw err;
  }
  const resolver = createScannerResolver({
    servers: config.scanners.resolvers,
    timeoutMs: config.scanners.dnsTimeoutMs,
    tries: config.scanners.dnsTries,
  });
  const dns = await scanDnsInventory(name.ascii, resolver, {
    allowPrivateTargets: config.scanners.allowPrivateTargets,
  });
  out(JSON.stringify({ domain: name.ascii, unicode: name.unicode, scanners: { dns } }, null, 2));
  return dns.complete ? 0 : 1;
}
