import { describe, expect, it } from 'vitest';
import { StringTable } from './string-table';

describe('StringTable', () => {
  it('keeps ASCII and non-ASCII strings, empty ones included', () => {
    for (const list of [[], ['fw-1', 'fw-22', ''], ['é', '😀x', 'plain', 'ταυ']]) {
      const table = StringTable.from(list);
      expect(table.length).toBe(list.length);
      expect(table.toArray()).toEqual(list);
      const again = StringTable.fromParts(table.bytes, table.offsets);
      expect(again).toBeInstanceOf(StringTable);
      expect((again as StringTable).toArray()).toEqual(list);
    }
  });

  it('refuses stored parts that do not describe whole UTF-8 strings', () => {
    const table = StringTable.from(['é', 'x']);
    const parts = (offsets: number[], bytes = table.bytes) =>
      StringTable.fromParts(bytes, Uint32Array.from(offsets));
    expect(parts([0, 2, 3])).toBeInstanceOf(StringTable);
    expect(parts([0, 1, 3])).toBe('offset inside a character');
    expect(parts([0, 3, 2, 3])).toBe('offsets out of order');
    expect(parts([0, 2])).toBe('offsets do not span the bytes');
    expect(parts([])).toBe('offsets do not span the bytes');
    expect(parts([0, 1], Buffer.from([0xff]))).toBe('not valid UTF-8');
  });
});
