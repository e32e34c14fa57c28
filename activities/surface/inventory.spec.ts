import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInventory, parseInventory, type InventoryProblem } from './inventory';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name));

function problemsOf(input: unknown, limits = {}): { problems: InventoryProblem[]; count: number } {
  try {
    parseInventory(input, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInventory);
    const e = err as InvalidInventory;
    return { problems: e.problems, count: e.problemCount };
  }
  throw new Error('expected InvalidInventory');
}

const vm = (vm_id: unknown, tags: unknown = ['t'], name: unknown = 'n') => ({ vm_id, name, tags });
const rule = (fw_id: unknown, source_tag: unknown = 't', dest_tag: unknown = 't') => ({
  fw_id,
  source_tag,
  dest_tag,
});

describe('parseInventory', () => {
  it('reads the wire format from a Buffer, a string or a parsed value into camelCase', () => {
    const expected = {
      vms: [
        { vmId: 'vm-a211de', name: 'jira_server', tags: ['ci', 'dev'] },
        { vmId: 'vm-c7bac01a07', name: 'bastion', tags: ['ssh', 'dev'] },
      ],
      fwRules: [{ fwId: 'fw-82af742', sourceTag: 'ssh', destTag: 'dev' }],
    };
    const buf = fixture('reference-example.json');
    expect(parseInventory(buf)).toEqual(expected);
    expect(parseInventory(buf.toString('utf8'))).toEqual(expected);
    expect(parseInventory(JSON.parse(buf.toString('utf8')))).toEqual(expected);
    expect(parseInventory(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]))).toEqual(expected);
  });

  it('accepts an empty inventory, VMs without tags, duplicate rules and unknown extra fields', () => {
    expect(parseInventory({ vms: [], fw_rules: [] })).toEqual({ vms: [], fwRules: [] });
    const inv = parseInventory({
      vms: [{ ...vm('a', []), region: 'eu' }, vm('b', ['t', 't'])],
      fw_rules: [rule('r1'), rule('r2')],
      generated_at: 'now',
    });
    expect(inv.vms[0].tags).toEqual([]);
    expect(inv.vms[1].tags).toEqual(['t']); // listed twice, carried once
    expect(inv.fwRules).toHaveLength(2);
  });

  it('refuses input that is not JSON, not UTF-8, or not an object', () => {
    expect(problemsOf('{"vms": [').problems[0]).toMatchObject({
      path: '$',
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(problemsOf(Buffer.from([0x7b, 0xff, 0x7d])).problems[0].message).toMatch(/UTF-8/);
    for (const value of [null, 42, 'null', [], '[]', true]) {
      expect(problemsOf(value).problems[0]).toMatchObject({
        path: '$',
        message: expect.stringMatching(/must be an object/),
      });
    }
  });

  it('lists missing and mistyped top-level arrays together', () => {
    expect(problemsOf({}).problems).toEqual([
      { path: '$.vms', message: 'is required' },
      { path: '$.fw_rules', message: 'is required' },
    ]);
    expect(problemsOf({ vms: {}, fw_rules: 'x' }).problems).toEqual([
      { path: '$.vms', message: 'must be an array, got an object' },
      { path: '$.fw_rules', message: 'must be an array, got string' },
    ]);
  });

  it('lists every malformed entry and field, in document order, and nothing partial', () => {
    const { problems, count } = problemsOf({
      vms: [
        42,
        vm(7),
        vm('ok-1', 'web'),
        vm('ok-2', [1, '']),
        { vm_id: 'no-name', tags: [] },
        vm('', ['t'], null),
      ],
      fw_rules: [null, rule(undefined, 5, ['t'])],
    });
    expect(problems).toEqual([
      { path: '$.vms[0]', message: 'must be an object, got number' },
      { path: '$.vms[1].vm_id', message: 'must be a string, got number' },
      { path: '$.vms[2].tags', message: 'must be an array, got string' },
      { path: '$.vms[3].tags[0]', message: 'must be a string, got number' },
      { path: '$.vms[3].tags[1]', message: 'must not be empty' },
      { path: '$.vms[4].name', message: 'is required' },
      { path: '$.vms[5].vm_id', message: 'must not be empty' },
      { path: '$.vms[5].name', message: 'must be a string, got null' },
      { path: '$.fw_rules[0]', message: 'must be an object, got null' },
      { path: '$.fw_rules[1].fw_id', message: 'is required' },
      { path: '$.fw_rules[1].source_tag', message: 'must be a string, got number' },
      { path: '$.fw_rules[1].dest_tag', message: 'must be a string, got an array' },
    ]);
    expect(count).toBe(problems.length);
  });

  it('refuses duplicate vm_id and fw_id, naming the first occurrence', () => {
    const { problems } = problemsOf({
      vms: [vm('a'), vm('b'), vm('a')],
      fw_rules: [rule('r'), rule('r'), rule('s')],
    });
    expect(problems).toEqual([
      { path: '$.vms[2].vm_id', message: 'duplicate vm_id "a" (first at $.vms[0])' },
      { path: '$.fw_rules[1].fw_id', message: 'duplicate fw_id "r" (first at $.fw_rules[0])' },
    ]);
  });

  it('refuses rules naming tags that no VM carries', () => {
    expect(problemsOf(fixture('unknown-tag.json')).problems).toEqual([
      { path: '$.fw_rules[0].dest_tag', message: 'tag "ghost" is carried by no VM' },
      { path: '$.fw_rules[1].source_tag', message: 'tag "phantom" is carried by no VM' },
    ]);
  });

  it('refuses oversized strings, control characters and lone surrogates', () => {
    const { problems } = problemsOf({
      vms: [
        vm('x'.repeat(257)),
        vm('a\nb'),
        vm('c\u0085'),
        vm('d\ud800'),
        vm('ok', ['\u001b[31m']),
      ],
      fw_rules: [],
    });
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      '$.vms[0].vm_id: is 257 characters long; the limit is 256',
      '$.vms[1].vm_id: must not contain control characters',
      '$.vms[2].vm_id: must not contain control characters',
      '$.vms[3].vm_id: must be valid Unicode (it contains a lone surrogate)',
      '$.vms[4].tags[0]: must not contain control characters',
    ]);
    // Non-ASCII text that is well-formed is fine, astral characters included.
    expect(parseInventory({ vms: [vm('vm-é-😀', ['étiquette'])], fw_rules: [] }).vms).toHaveLength(
      1,
    );
  });

  it('enforces size limits before looking at entries', () => {
    expect(problemsOf({ vms: [vm('a'), vm('b')], fw_rules: [] }, { maxVms: 1 }).problems).toEqual([
      { path: '$.vms', message: 'has 2 entries; the limit is 1' },
    ]);
    expect(
      problemsOf({ vms: [vm('a')], fw_rules: [rule('1'), rule('2')] }, { maxRules: 1 }).problems,
    ).toEqual([{ path: '$.fw_rules', message: 'has 2 entries; the limit is 1' }]);
    const tags = Array.from({ length: 1001 }, (_, i) => `t${i}`);
    expect(problemsOf({ vms: [vm('a', tags)], fw_rules: [] }).problems).toEqual([
      { path: '$.vms[0].tags', message: 'has 1001 entries; the limit is 1000' },
    ]);
    expect(problemsOf('{"vms":[],"fw_rules":[]}', { maxBytes: 10 }).problems).toEqual([
      { path: '$', message: 'input is 24 bytes; the limit is 10' },
    ]);
  });

  it('caps the listed problems but counts them all', () => {
    const vms = Array.from({ length: 250 }, () => vm(''));
    const { problems, count } = problemsOf({ vms, fw_rules: [] });
    expect(problems).toHaveLength(100);
    expect(count).toBe(250);
    try {
      parseInventory({ vms, fw_rules: [] });
    } catch (err) {
      expect((err as Error).message).toMatch(/250 problem\(s\) \(first 100 listed\)/);
    }
  });

  it('treats __proto__ and friends as plain data, and reads only own properties', () => {
    const inv = parseInventory(fixture('proto-tags.json'));
    expect(inv.vms.map((v) => v.vmId)).toEqual(['__proto__', 'constructor']);
    expect(inv.vms[0].tags).toEqual(['__proto__', 'toString']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Inherited properties are not input: an object whose prototype has `vms` is still empty.
    const inherited = Object.create({ vms: [], fw_rules: [] }) as object;
    expect(problemsOf(inherited).problems).toEqual([
      { path: '$.vms', message: 'is required' },
      { path: '$.fw_rules', message: 'is required' },
    ]);
  });

  it('returns fresh objects that do not alias the input', () => {
    const tags = ['t'];
    const inv = parseInventory({ vms: [vm('a', tags)], fw_rules: [rule('r')] });
    tags.push('other');
    expect(inv.vms[0].tags).toEqual(['t']);
  });
});
