import { describe, expect, it } from 'vitest';
import { parseHsts } from './hsts-header';

describe('parseHsts', () => {
  it('reads max-age, includeSubDomains and preload, case-insensitively and in any order', () => {
    expect(parseHsts(['PRELOAD; Max-Age=63072000 ;includesubdomains'])).toMatchObject({
      valid: true,
      maxAge: 63072000,
      includeSubDomains: true,
      preload: true,
      errors: [],
    });
  });

  it('accepts a quoted max-age and ignores unknown directives and empty ones', () => {
    expect(parseHsts(['max-age="31536000";; report-uri="https://x.example/;a"'])).toMatchObject({
      valid: true,
      maxAge: 31536000,
      includeSubDomains: false,
      preload: false,
    });
  });

  it('is invalid (ignored by browsers) without max-age, with a bad one, or with a repeated directive', () => {
    expect(parseHsts(['includeSubDomains'])).toMatchObject({
      valid: false,
      errors: ['max-age is missing'],
    });
    expect(parseHsts(['max-age=-1'])?.errors).toEqual(["max-age '-1' is not a number of seconds"]);
    expect(parseHsts(['max-age=1y'])?.valid).toBe(false);
    expect(parseHsts(['max-age=10; max-age=20'])?.errors).toEqual([
      "directive 'max-age' appears more than once",
    ]);
    expect(parseHsts(['max-age=10; includeSubDomains=yes'])?.errors).toEqual([
      'includeSubDomains takes no value',
    ]);
  });

  it('uses only the first of several headers (RFC 6797 §8.1) and says so', () => {
    expect(parseHsts(['max-age=0', 'max-age=31536000'])).toMatchObject({
      maxAge: 0,
      ignoredHeaders: 1,
    });
  });

  it('returns null when there is no header, and survives huge numbers', () => {
    expect(parseHsts(undefined)).toBeNull();
    expect(parseHsts([])).toBeNull();
    expect(parseHsts(['max-age=' + '9'.repeat(400)])?.maxAge).toBe(Number.MAX_SAFE_INTEGER);
  });
});
