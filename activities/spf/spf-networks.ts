import ipaddr from 'ipaddr.js';

/** `address/prefix` with the host bits cleared, e.g. 192.0.2.7/24 → 192.0.2.0/24. */
export function toNetwork(address: string, prefix?: number): string {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') {
    const bits = prefix ?? 32;
    return `${ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`).toString()}/${bits}`;
  }
  const bits = prefix ?? 128;
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`).toString()}/${bits}`;
}

export function prefixLength(network: string): number {
  return Number(network.slice(network.lastIndexOf('/') + 1));
}

export function isIpv4Network(network: string): boolean {
  return !network.includes(':');
}

/**
 * Removes duplicates and networks contained in another one of the list, then sorts: IPv4 before
 * IPv6, by address, wider first.
 */
export function dedupeNetworks(networks: Iterable<string>): string[] {
  const parsed = [...new Set(networks)].map((n) => ({ text: n, cidr: ipaddr.parseCIDR(n) }));
  const kept = parsed.filter(
    (n) =>
      !parsed.some(
        (other) =>
          other !== n &&
          other.cidr[0].kind() === n.cidr[0].kind() &&
          other.cidr[1] < n.cidr[1] &&
          n.cidr[0].match(other.cidr),
      ),
  );
  return kept.sort(compareNetworks).map((n) => n.text);
}

function compareNetworks(
  a: { cidr: [ipaddr.IPv4 | ipaddr.IPv6, number] },
  b: { cidr: [ipaddr.IPv4 | ipaddr.IPv6, number] },
): number {
  const ab = a.cidr[0].toByteArray();
  const bb = b.cidr[0].toByteArray();
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return a.cidr[1] - b.cidr[1];
}
