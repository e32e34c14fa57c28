import { describe, expect, it } from 'vitest';
import { outputParser } from './output-parsers';
import { InvalidProbeResult, parseStandardResult } from './standard-result';

const good = {
  version: 1,
  format: 'perimeter-probe/json',
  meta: { uuid: '3f0a4c1e-2b7d-4e8f-9a61-5c2d8e7b9f10', ts: '2026-11-22T14:00:00Z', type: 'nmap' },
  payload: { open: [22, 443] },
};

function issues(input: unknown): string[] {
  try {
    parseStandardResult(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidProbeResult);
    return (err as InvalidProbeResult).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('accepted');
}

describe('standard results from probes', () => {
  it('accepts the standard shape', () => {
    expect(parseStandardResult(good)).toEqual(good);
  });

  it('names every problem with its path', () => {
    expect(issues({ ...good, meta: { ...good.meta, uuid: 'x', ts: 'yesterday' } })).toEqual([
      'meta.uuid: Invalid UUID',
      'meta.ts: Invalid ISO datetime',
    ]);
    expect(
      issues({ format: 'x', meta: good.meta, payload: 'text' }).map((i) => i.split(':')[0]),
    ).toEqual(['version', 'payload']);
    expect(issues({ ...good, extra: true })[0]).toContain('Unrecognized key');
    expect(issues({ ...good, format: '../../etc' })[0]).toMatch(/^format: /);
    expect(issues(null)).toHaveLength(1);
    expect(issues([good])).toHaveLength(1);
  });

  it('refuses oversized results and timestamps far in the future', () => {
    expect(issues({ ...good, payload: { big: 'x'.repeat(600 * 1024) } })[0]).toMatch(/bytes/);
    expect(issues({ ...good, meta: { ...good.meta, ts: '2999-01-01T00:00:00Z' } })).toEqual([
      'meta.ts: more than a day in the future',
    ]);
  });
});

describe('output parsers', () => {
  it('json, jsonl and lines', () => {
    expect(outputParser('json')('{"a":[1]}\n')).toEqual({ a: [1] });
    expect(outputParser('jsonl')('{"a":1}\n\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(outputParser('lines')(' a \n\nb\n')).toEqual(['a', 'b']);
  });

  it('says what is wrong with the output, and which parsers exist', () => {
    expect(() => outputParser('json')('not json')).toThrow(/output is not JSON/);
    expect(() => outputParser('jsonl')('{"a":1}\nnope')).toThrow(/line 2 is not JSON/);
    expect(() => outputParser('xml')).toThrow(/unknown parser "xml" \(known: json, jsonl, lines\)/);
  });
});
