import { describe, expect, it } from 'vitest';
import { AuthConfigError } from './errors';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter';

/** A limiter on a clock the test moves by hand. */
function limiter(options: Omit<RateLimiterOptions, 'now'>) {
  let t = 1_000_000;
  const rl = new RateLimiter({ ...options, now: () => t });
  return { rl, advance: (ms: number) => (t += ms), setTime: (ms: number) => (t = ms) };
}

const allowedCount = (rl: RateLimiter, key: string, tries: number) =>
  Array.from({ length: tries }, () => rl.take(key)).filter((d) => d.allowed).length;

describe('RateLimiter', () => {
  it('allows a burst of exactly `capacity`, then refuses', () => {
    const { rl } = limiter({ capacity: 3, refillPerSecond: 1 });
    expect(rl.take('a')).toEqual({ allowed: true });
    expect(rl.take('a')).toEqual({ allowed: true });
    expect(rl.take('a')).toEqual({ allowed: true });
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, and not a moment early', () => {
    const { rl, advance } = limiter({ capacity: 2, refillPerSecond: 1 });
    expect(allowedCount(rl, 'a', 2)).toBe(2);
    advance(999);
    expect(rl.take('a').allowed).toBe(false);
    advance(1);
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
    advance(2500);
    expect(allowedCount(rl, 'a', 5)).toBe(2);
  });

  it('never holds more than capacity, however long the quiet spell', () => {
    const { rl, advance } = limiter({ capacity: 5, refillPerSecond: 10 });
    rl.take('a');
    advance(3_600_000);
    expect(allowedCount(rl, 'a', 20)).toBe(5);
  });

  it('says how long to wait, rounded up to whole seconds', () => {
    const { rl, advance } = limiter({ capacity: 4, refillPerSecond: 0.5 });
    expect(allowedCount(rl, 'a', 4)).toBe(4);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    advance(1000); // half a token back
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(rl.take('a', 3)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    advance(1000); // one token
    expect(rl.take('a')).toEqual({ allowed: true });
    // Waiting exactly the advertised time is enough.
    const denied = rl.take('a', 2);
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 4 });
    advance(4000);
    expect(rl.take('a', 2)).toEqual({ allowed: true });
  });

  it('rounds a fractional wait up, so retrying after it succeeds and before it does not', () => {
    const { rl, advance } = limiter({ capacity: 1, refillPerSecond: 0.3 });
    rl.take('a');
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 4 }); // 3.33 s
    advance(3000);
    expect(rl.take('a').allowed).toBe(false);
    advance(1000);
    expect(rl.take('a').allowed).toBe(true);
  });

  it('charges the given cost', () => {
    const { rl } = limiter({ capacity: 10, refillPerSecond: 1 });
    expect(rl.take('a', 7).allowed).toBe(true);
    expect(rl.take('a', 4).allowed).toBe(false);
    expect(rl.take('a', 3).allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const { rl } = limiter({ capacity: 1, refillPerSecond: 1 });
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
    expect(rl.take('b').allowed).toBe(true);
  });

  it('gives nothing away when the clock steps backwards', () => {
    const { rl, advance, setTime } = limiter({ capacity: 2, refillPerSecond: 1 });
    expect(allowedCount(rl, 'a', 2)).toBe(2);
    setTime(0);
    expect(rl.take('a').allowed).toBe(false);
    advance(1_000_000); // back to where it was: still nothing earned
    expect(rl.take('a').allowed).toBe(false);
    advance(1000);
    expect(rl.take('a').allowed).toBe(true);
  });

  it('stays within maxKeys under a flood of distinct keys', () => {
    const { rl } = limiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 100 });
    for (let i = 0; i < 20_000; i++) rl.take(`flood-${i}`);
    expect(rl.size).toBe(100);
  });

  it('forgets the least recently used key first', () => {
    const { rl } = limiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 3 });
    rl.take('a');
    rl.take('b');
    rl.take('c');
    expect(rl.take('a').allowed).toBe(false); // touches 'a': now 'b' is the oldest
    rl.take('d'); // evicts 'b'
    expect(rl.size).toBe(3);
    expect(rl.take('a').allowed).toBe(false); // remembered, still empty
    expect(rl.take('b').allowed).toBe(true); // forgotten, so a fresh bucket (evicts 'c')
    expect(rl.take('d').allowed).toBe(false);
    expect(rl.take('c').allowed).toBe(true);
  });

  it('bounds memory for huge keys and still tells them apart', () => {
    const { rl } = limiter({ capacity: 1, refillPerSecond: 1 });
    const big1 = 'x'.repeat(1_000_000);
    const big2 = `${'x'.repeat(999_999)}y`;
    expect(rl.take(big1).allowed).toBe(true);
    expect(rl.take(big1).allowed).toBe(false);
    expect(rl.take(big2).allowed).toBe(true);
    expect(rl.take(big2).allowed).toBe(false);
  });

  it('refuses settings and costs that make no sense', () => {
    const bad: RateLimiterOptions[] = [
      { capacity: 0, refillPerSecond: 1 },
      { capacity: -1, refillPerSecond: 1 },
      { capacity: Number.NaN, refillPerSecond: 1 },
      { capacity: 1, refillPerSecond: 0 },
      { capacity: 1, refillPerSecond: Number.POSITIVE_INFINITY },
      { capacity: 1, refillPerSecond: 1, maxKeys: 0 },
      { capacity: 1, refillPerSecond: 1, maxKeys: 1.5 },
    ];
    for (const options of bad) {
      expect(() => new RateLimiter(options), JSON.stringify(options)).toThrow(AuthConfigError);
    }
    const rl = new RateLimiter({ capacity: 5, refillPerSecond: 1 });
    for (const cost of [0, -1, 6, Number.NaN]) {
      expect(() => rl.take('a', cost), String(cost)).toThrow(AuthConfigError);
    }
  });

  it('uses the real clock by default', () => {
    const rl = new RateLimiter({ capacity: 1, refillPerSecond: 1 });
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });
});

describe('RateLimiter.check', () => {
  it('reports what take would do without taking', () => {
    let now = 0;
    const sut = new RateLimiter({ capacity: 2, refillPerSecond: 1, now: () => now });
    expect(sut.check('k')).toEqual({ allowed: true });
    sut.take('k');
    sut.take('k');
    expect(sut.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(sut.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 1000;
    expect(sut.check('k')).toEqual({ allowed: true });
    expect(sut.take('k')).toEqual({ allowed: true });
    expect(sut.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
