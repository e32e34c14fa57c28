import ipaddr from 'ipaddr.js';
import {
  InvalidIpAddress,
  TargetNotAllowed,
  TargetUnresolvable,
  type RefusedAddress,
} from './errors';

export type { RefusedAddress } from './errors';

/** What an address is, as far as the target guard is concerned. */
export interface AddressClassification {
  /** Normalised text form: dotted quad, or RFC 5952 IPv6 (mixed notation when it embeds IPv4). */
  address: string;
  family: 4 | 6;
  /** ipaddr.js range name; for IPv6 that embeds IPv4 (mapped, NAT64), the IPv4 address's range. */
  range: string;
  /** Globally routable unicast: the only kind a scanner may reach by default. */
  public: boolean;
}

export interface TargetAddresses {
  /** Addresses a scanner may connect to, normalised, in the order given, without duplicates. */
  allowed: string[];
  refused: RefusedAddress[];
}

export interface TargetGuardOptions {
  /** ALLOW_PRIVATE_TARGETS: lets private, loopback, link-local etc. through (the lab needs it). */
  allowPrivateTargets: boolean;
}

/** The two questions the guard asks; `dns.promises.Resolver` fits. */
export interface TargetResolver {
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

// No configuration makes these a target: they mean "this host", a group, or everyone on the link.
const NEVER_SCANNABLE = new Set(['unspecified', 'multicast', 'broadcast']);
// Longest IPv6 text form is 45 characters; refusing longer strings keeps ipaddr.js's regexes cheap.
const MAX_ADDRESS_LENGTH = 45;
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Classifies an IP address (IPv4 in any form inet_aton accepts, or IPv6). IPv6 that carries an
 * IPv4 address a translator would reach (IPv4-mapped, IPv4-translated, NAT64 64:ff9b::/96) is
 * judged by that IPv4 address. Throws `InvalidIpAddress` for anything else.
 */
export function classifyAddress(ip: string): AddressClassification {
  const parsed = parseAddress(ip);
  if (parsed instanceof ipaddr.IPv4) {
    const range = parsed.range();
    return { address: parsed.toString(), family: 4, range, public: range === 'unicast' };
  }
  const v6 = parsed;
  const v6Range = v6.range();
  const embedded = embeddedIPv4(v6, v6Range);
  if (embedded !== undefined) {
    const range = embedded.v4.range();
    return {
      address: `${embedded.prefix}${embedded.v4.toString()}`,
      family: 6,
      range,
      public: range === 'unicast',
    };
  }
  // ipaddr.js calls everything it has no name for 'unicast'; only 2000::/3 is allocated as global.
  const range = v6Range === 'unicast' && !v6.match(GLOBAL_UNICAST_V6) ? 'reserved' : v6Range;
  return { address: v6.toRFC5952String(), family: 6, range, public: range === 'unicast' };
}

/**
 * Splits a target's addresses into those a scanner may reach and those it may not. Public unicast
 * is always allowed; with `allowPrivateTargets` everything but unspecified, multicast and
 * broadcast is. Throws `TargetUnresolvable` for no addresses, `TargetNotAllowed` if none is allowed.
 */
export function filterTargetAddresses(
  target: string,
  addresses: string[],
  opts: TargetGuardOptions,
): TargetAddresses {
  if (addresses.length === 0) throw new TargetUnresolvable(target);
  const allowed: string[] = [];
  const refused: RefusedAddress[] = [];
  const seen = new Set<string>();
  for (const raw of addresses) {
    const { address, range, public: isPublic } = classifyAddress(raw);
    if (seen.has(address)) continue;
    seen.add(address);
    if (isPublic || (opts.allowPrivateTargets && !NEVER_SCANNABLE.has(range))) {
      allowed.push(address);
    } else {
      refused.push({ address, range });
    }
  }
  if (allowed.length === 0) {
    throw new TargetNotAllowed(target, refused, {
      literal: ipLiteral(target) !== undefined,
      allowedWithPrivateTargets:
        !opts.allowPrivateTargets && refused.some((r) => !NEVER_SCANNABLE.has(r.range)),
    });
  }
  return { allowed, refused };
}

/**
 * Resolves a scan target through the scanners' resolver (A and AAAA) and filters the answers with
 * `filterTargetAddresses`. An IP literal is judged as it is, without DNS. "No such name" and "no
 * such record" count as no addresses; any other DNS failure (timeout, SERVFAIL) is rethrown, since
 * it says nothing about the name and is worth a retry.
 */
export async function resolveTarget(
  target: string,
  resolver: TargetResolver,
  opts: TargetGuardOptions,
): Promise<TargetAddresses> {
  const literal = ipLiteral(target);
  if (literal !== undefined) return filterTargetAddresses(target, [literal], opts);
  // Both questions run to completion, so neither rejection is left unhandled.
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(target), resolver.resolve6(target)]);
  const addresses = [...answersOf(v4), ...answersOf(v6)];
  return filterTargetAddresses(target, addresses, opts);
}

function answersOf(result: PromiseSettledResult<string[]>): string[] {
  if (result.status === 'fulfilled') return result.value;
  const code = (result.reason as NodeJS.ErrnoException | undefined)?.code;
  // ENOTFOUND is NXDOMAIN and ENODATA an empty answer, as node:dns reports them.
  if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
  throw result.reason;
}

/** The address a target names directly (brackets allowed around IPv6), if it is an IP literal. */
function ipLiteral(target: string): string | undefined {
  const bare = target.startsWith('[') && target.endsWith(']') ? target.slice(1, -1) : target;
  // With a zone index it is still a literal: classifyAddress then refuses it with a clear error.
  if (/^[0-9a-f:.]+%/i.test(bare)) return bare;
  try {
    parseAddress(bare);
    return bare;
  } catch {
    return undefined;
  }
}

function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (typeof ip !== 'string') throw new InvalidIpAddress(String(ip));
  if (ip.length > MAX_ADDRESS_LENGTH) throw new InvalidIpAddress(ip);
  // A zone index names an interface of this machine: never something a scan target carries.
  if (ip.includes('%')) throw new InvalidIpAddress(ip, 'a zone index is not accepted');
  if (ip.includes(':')) {
    const text = ip.includes('.') ? withHexTail(ip) : ip;
    if (text === undefined || !ipaddr.IPv6.isValid(text)) throw new InvalidIpAddress(ip);
    return ipaddr.IPv6.parse(text);
  }
  // ipaddr.js accepts what inet_aton and WHATWG URLs do (127.1, 0x7f.0.0.1, 2130706433).
  if (!ipaddr.IPv4.isValid(ip)) throw new InvalidIpAddress(ip);
  return ipaddr.IPv4.parse(ip);
}

/**
 * Rewrites an IPv6 address's dotted IPv4 tail as two hex groups. ipaddr.js reads `::1.2.3.4`
 * (IPv4-compatible, what inet_ntop prints for ::102:304) as `::ffff:1.2.3.4`, a different address.
 */
function withHexTail(ip: string): string | undefined {
  const colon = ip.lastIndexOf(':');
  const tail = ip.slice(colon + 1);
  if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets;
  return `${ip.slice(0, colon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function embeddedIPv4(
  v6: ipaddr.IPv6,
  range: string,
): { prefix: string; v4: ipaddr.IPv4 } | undefined {
  const prefix =
    range === 'ipv4Mapped'
      ? '::ffff:'
      : range === 'rfc6145'
        ? '::ffff:0:'
        : v6.match(NAT64_WELL_KNOWN)
          ? '64:ff9b::'
          : undefined;
  if (prefix === undefined) return undefined;
  const bytes = v6.toByteArray().slice(12);
  return { prefix, v4: new ipaddr.IPv4(bytes) };
}
