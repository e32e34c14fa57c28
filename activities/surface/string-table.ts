/**
 * Many short strings kept as one UTF-8 buffer plus offsets, decoded one at a time on demand.
 * The index holds one fw_id per distinct rule (10^6 at the benchmark's scale): as JS strings
 * they cost ~40 bytes each of heap, as a table ~12, and storing or loading the table copies two
 * buffers instead of a million strings.
 */
export class StringTable {
  private constructor(
    /** UTF-8 bytes of all strings, back to back. */
    readonly bytes: Buffer,
    /** Byte offset of each string, plus the end: `length + 1` entries. */
    readonly offsets: Uint32Array,
  ) {}

  static from(strings: readonly string[]): StringTable {
    const joined = strings.join('');
    const bytes = Buffer.from(joined, 'utf8');
    // All ASCII (the usual case) when sizes match: byte offsets are then character offsets.
    const ascii = bytes.length === joined.length;
    const offsets = new Uint32Array(strings.length + 1);
    for (let i = 0; i < strings.length; i++) {
      const size = ascii ? strings[i].length : Buffer.byteLength(strings[i], 'utf8');
      offsets[i + 1] = offsets[i] + size;
    }
    return new StringTable(bytes, offsets);
  }

  /**
   * Wraps stored parts, checking that offsets ascend, end at the buffer's end and fall on
   * character boundaries, and that the bytes are UTF-8; returns an error message otherwise.
   */
  static fromParts(bytes: Buffer, offsets: Uint32Array): StringTable | string {
    if (offsets.length === 0 || offsets[0] !== 0 || offsets[offsets.length - 1] !== bytes.length) {
      return 'offsets do not span the bytes';
    }
    for (let i = 1; i < offsets.length; i++) {
      if (offsets[i] < offsets[i - 1]) return 'offsets out of order';
      // A UTF-8 continuation byte (10xxxxxx) never starts a character.
      if (offsets[i] < bytes.length && (bytes[offsets[i]] & 0xc0) === 0x80) {
        return 'offset inside a character';
      }
    }
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return 'not valid UTF-8';
    }
    return new StringTable(bytes, offsets);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    return this.bytes.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.get(i));
  }
}
