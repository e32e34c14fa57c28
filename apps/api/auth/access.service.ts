import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import type { GraphQLError } from 'graphql';
import { RateLimiter } from '../../../libs/auth/rate-limiter';
import { can, roleIn, type Principal, type Role } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import { graphQLError } from '../common/graphql-errors';
import { CONFIG } from '../tokens';

/**
 * The rate-limit key of a client address: an IPv6 client controls a whole /64, so that is one
 * client; IPv4 (and IPv4-mapped IPv6) is one address.
 */
export function clientKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'ip:unknown';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  if (ip.kind() === 'ipv4') return `ip:${ip.toString()}`;
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `ip:${parts.join(':')}::/64`;
}

export function principalKey(p: Principal): string {
  return p.kind === 'user' ? `user:${p.userId}` : `api_key:${p.keyId}`;
}

/**
 * Rate limits and the answers that must not leak: an object in another organisation is
 * indistinguishable from one that does not exist, and probing for either is rate-limited.
 */
@Injectable()
export class AccessService {
  private readonly requests: RateLimiter;
  private readonly notFound: RateLimiter;
  private readonly authFailures: RateLimiter;

  constructor(@Inject(CONFIG) config: PerimeterConfig) {
    const perMinute = (n: number) => ({ capacity: n, refillPerSecond: n / 60 });
    this.requests = new RateLimiter(perMinute(config.rateLimits.perMinute));
    this.notFound = new RateLimiter(perMinute(config.rateLimits.notFoundPerMinute));
    this.authFailures = new RateLimiter(perMinute(config.rateLimits.authFailuresPerMinute));
  }

  /** Per key and per user. */
  takeRequest(principal: Principal): void {
    this.enforce(this.requests.take(principalKey(principal)));
  }

  /** Before trying credentials from this address: refuses while it has failed too often. */
  assertMayAuthenticate(clientKey: string): void {
    this.enforce(this.authFailures.check(clientKey));
  }

  authFailed(clientKey: string): void {
    this.authFailures.take(clientKey);
  }

  private enforce(verdict: { allowed: true } | { allowed: false; retryAfterSeconds: number }) {
    if (!verdict.allowed) {
      throw graphQLError('RATE_LIMITED', 'too many requests; slow down', {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
  }

  /** The one answer for "does not exist" and "exists, but not for you". Each costs a token. */
  notFoundError(principal: Principal, what: string, id: string): GraphQLError {
    const verdict = this.notFound.take(principalKey(principal));
    if (!verdict.allowed) {
      return graphQLError('RATE_LIMITED', 'too many lookups of unknown objects; slow down', {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
    return graphQLError('NOT_FOUND', `no ${what} with id ${id.slice(0, 64)}`);
  }

  /**
   * Checks `principal` may act with `need` on an object of `organisationId` (null when the object
   * does not exist): not a member → NOT_FOUND, a member with a lower role → FORBIDDEN.
   */
  assertCan(
    principal: Principal,
    need: Role,
    organisationId: string | null | undefined,
    what: string,
    id: string,
  ): void {
    if (!organisationId || !roleIn(principal, organisationId)) {
      throw this.notFoundError(principal, what, id);
    }
    if (!can(principal, need, organisationId)) {
      throw graphQLError('FORBIDDEN', `this needs the ${need} role in the ${what}'s organisation`);
    }
  }
}
