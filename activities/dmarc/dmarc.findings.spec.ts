import { describe, expect, it } from 'vitest';
import type { DmarcProblemCode } from './dmarc-record';
import { DmarcFindings } from './dmarc.findings';

// Every code the parser can report becomes the finding `dmarc.<code>`.
const PROBLEM_CODES: Record<DmarcProblemCode, true> = {
  'invalid-version': true,
  'version-not-first': true,
  'version-case': true,
  'syntax-error': true,
  'syntax-lenient': true,
  'duplicate-tag': true,
  'unknown-tag': true,
  'invalid-value': true,
  'invalid-policy-value': true,
  'p-missing': true,
  'removed-tag': true,
  'invalid-uri': true,
  'non-mailto-uri': true,
  'uri-size-limit': true,
  'too-many-destinations': true,
};

describe('DmarcFindings catalogue', () => {
  const entries = Object.entries(DmarcFindings);

  it('has stable dmarc.<kebab-case> ids, keyed by id', () => {
    expect(entries.length).toBeGreaterThan(30);
    for (const [key, definition] of entries) {
      expect(definition.id).toBe(key);
      expect(key).toMatch(/^dmarc\.[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });

  it('has every entry complete: severity, title, explanation, references, and a fix unless pass', () => {
    for (const definition of Object.values(DmarcFindings)) {
      expect(['pass', 'info', 'warning', 'fail']).toContain(definition.severity);
      expect(definition.title.length, definition.id).toBeGreaterThan(5);
      expect(definition.explanation.length, definition.id).toBeGreaterThan(40);
      expect(definition.references.length, definition.id).toBeGreaterThan(0);
      for (const ref of definition.references) expect(ref.trim()).not.toBe('');
      if (definition.severity === 'pass') expect(definition.fix, definition.id).toBeUndefined();
      else expect(definition.fix?.length ?? 0, definition.id).toBeGreaterThan(10);
    }
  });

  it('has a finding for every problem the record parser reports', () => {
    for (const code of Object.keys(PROBLEM_CODES)) {
      expect(DmarcFindings[`dmarc.${code}`], code).toBeDefined();
    }
  });

  it('cites the current DMARC specifications', () => {
    const refs = Object.values(DmarcFindings).flatMap((d) => d.references);
    expect(refs.some((r) => r.startsWith('RFC 9989'))).toBe(true);
    expect(refs).toContain('RFC 9990');
  });
});
