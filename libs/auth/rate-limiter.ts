import { createHash } from 'node:crypto';
import { AuthConfigError } from './errors';

export interface RateLimiterOptions {
  /** Most tokens a bucket holds: the burst allowed after a quiet spell. */
  capacity: number;
  refillPerSecond: number;
  /** Most keys remembered; the least recently used is forgotten beyond it. Default 100 000. */
  maxKeys?: number;
  /** Milliseconds, like Date.now; injectable so tests control time. */
  now?: () => number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

// Keys are attacker-influenced (an email typed at sign-in); long ones are hashed to bound memory.
const MAX_KEY_LENGTH = 128;

/**
 * Token buckets per key, in this process's memory. With several API replicas each keeps its own
 * buckets, so the effective limit is multiplied by the replica count: a shared store (Postgres,
 * Redis) is needed for a limit that holds across replicas.
 */
export class RateLimiter {
  private readonly capacity: number;
  private readonly refillPerSecond: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  // A Map iterates in insertion order; re-inserting on every use makes its first key the LRU one.
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    const { capacity, refillPerSecond, maxKeys = 100_000, now = Date.now } = options;
    if (!Number.isFinite(capacity) || capacity <= 0) {
      throw new AuthConfigError('rate limiter capacity must be a positive number');
    }
    if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
      throw new AuthConfigError('rate limiter refill must be a positive number per second');
    }
    if (!Number.isSafeInteger(maxKeys) || maxKeys <= 0) {
      throw new AuthConfigError('rate limiter maxKeys must be a positive whole number');
    }
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.maxKeys = maxKeys;
    this.now = now;
  }

  /** How many keys are remembered now (never more than maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes `cost` tokens from the key's bucket if it holds them; otherwise says when it will. */
  take(key: string, cost = 1): RateLimitDecision {
    if (!Number.isFinite(cost) || cost <= 0 || cost > this.capacity) {
      // A cost above capacity could never be paid: a programming error, not a client's.
      throw new AuthConfigError(`rate limit cost must be in (0, ${this.capacity}], got ${cost}`);
    }
    const k = normaliseKey(key);
    const now = this.now();
    const bucket = this.refill(this.buckets.get(k), now);
    this.buckets.delete(k);
    this.buckets.set(k, bucket);
    this.evict();
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    const waitSeconds = (cost - bucket.tokens) / this.refillPerSecond;
    // Whole seconds for a Retry-After header, rounded up so a retry at that time succeeds.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }

  /** Whether `take(key, cost)` would be allowed now, without taking anything. */
  check(key: string, cost = 1): RateLimitDecision {
    const bucket = this.buckets.get(normaliseKey(key));
    if (!bucket) return { allowed: true };
    const elapsedSeconds = Math.max(0, this.now() - bucket.updatedAt) / 1000;
    const tokens = Math.min(this.capacity, bucket.tokens + elapsedSeconds * this.refillPerSecond);
    if (tokens >= cost) return { allowed: true };
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / this.refillPerSecond)),
    };
  }

  private refill(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.capacity, updatedAt: now };
    // A clock that steps backwards must not drain or overfill anyone's bucket.
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsedSeconds * this.refillPerSecond);
    bucket.updatedAt = Math.max(now, bucket.updatedAt);
    return bucket;
  }

  // Forgetting a key refills its bucket, so a flood of distinct keys can reset a busy key; that
  // is the price of bounded memory. Keying by client address (an IPv6 /64, not one address) keeps
  // the number of keys one client controls small.
  private evict(): void {
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      this.buckets.delete(oldest.value);
    }
  }
}

function normaliseKey(key: string): string {
  const text = String(key);
  if (text.length <= MAX_KEY_LENGTH) return text;
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('base64url')}`;
}
