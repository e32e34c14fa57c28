/**
 * RFC 6376 §3.2 tag-value lists (`tag=value; tag=value`), which DKIM key records and BIMI
 * records share. Hand-written because mailauth's parser is lenient by design (it accepts
 * duplicates and garbage), while a posture check must say exactly what is wrong.
 */
export interface Tag {
  name: string;
  /** With surrounding whitespace removed; inner whitespace kept (callers decide). */
  value: string;
}

export type TagListResult = { ok: true; tags: Tag[] } | { ok: false; error: string };

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
// VALCHAR (%x21-3A / %x3C-7E) and whitespace: anything else is not a tag-value.
const TAG_VALUE = /^[\x21-\x3a\x3c-\x7e \t\r\n]*$/;

/**
 * Splits a tag-list; fails on an empty element other than a trailing `;`, a malformed tag name,
 * a character not allowed in a value, or a tag given twice (§3.2: then the whole list is invalid).
 */
export function parseTagList(text: string): TagListResult {
  const parts = text.split(';');
  // One trailing ';' (and whitespace after it) is allowed.
  if (parts.length > 1 && parts[parts.length - 1]!.trim() === '') parts.pop();
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of parts.entries()) {
    if (raw.trim() === '') return { ok: false, error: `empty tag at position ${index + 1}` };
    const eq = raw.indexOf('=');
    if (eq < 0) return { ok: false, error: `'${raw.trim()}' is not a tag=value pair` };
    const name = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (!TAG_NAME.test(name)) return { ok: false, error: `bad tag name '${name}'` };
    if (!TAG_VALUE.test(value)) {
      return { ok: false, error: `tag '${name}' has a character not allowed in a value` };
    }
    // Tag names are case-sensitive (§3.2): 'V' and 'v' are different tags.
    if (seen.has(name)) return { ok: false, error: `tag '${name}' appears more than once` };
    seen.add(name);
    tags.push({ name, value });
  }
  return { ok: true, tags };
}
