import { parseTagList } from '../dkim/tag-list';

/** A BIMI assertion record (draft-brand-indicators-for-message-identification). */
export interface BimiRecord {
  /** l=: https URL of the SVG logo; '' or null declines to show a logo. */
  location: string | null;
  /** a=: https URL of the PEM mark certificate (VMC or CMC); '' or null when none. */
  authority: string | null;
  /** avp=: 'brand' or 'personal', when given. */
  avatarPreference: string | null;
  /** Unknown tags, kept for the report. */
  otherTags: Record<string, string>;
}

export type BimiParse = { ok: true; record: BimiRecord } | { ok: false; error: string };

/** Whether a TXT string is a BIMI record (receivers keep only those starting with the version). */
export function isBimiRecord(text: string): boolean {
  return /^v\s*=\s*BIMI1\s*(;|$)/i.test(text);
}

/** Parses a record: RFC 6376 tag-list syntax, v=BIMI1 first. */
export function parseBimiRecord(text: string): BimiParse {
  const list = parseTagList(text);
  if (!list.ok) return list;
  const first = list.tags[0];
  if (first === undefined || first.name !== 'v' || first.value.toUpperCase() !== 'BIMI1') {
    return { ok: false, error: 'the record must start with v=BIMI1' };
  }
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  const avp = tags.get('avp')?.toLowerCase() ?? null;
  if (avp !== null && avp !== 'brand' && avp !== 'personal') {
    return { ok: false, error: `avp=${avp}: expected brand or personal` };
  }
  const otherTags: Record<string, string> = {};
  for (const t of list.tags)
    if (!['v', 'l', 'a', 'avp'].includes(t.name)) otherTags[t.name] = t.value;
  return {
    ok: true,
    record: {
      location: tags.get('l') ?? null,
      authority: tags.get('a') ?? null,
      avatarPreference: avp,
      otherTags,
    },
  };
}

/** Why a URL is not a usable https URL (ending in `extension` when given), or null when it is. */
export function httpsUrlProblem(value: string, extension?: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:') return `uses ${url.protocol.replace(/:$/, '')}, not https`;
  if (url.hostname === '') return 'has no host';
  if (extension !== undefined && !url.pathname.toLowerCase().endsWith(extension)) {
    return `does not end in ${extension}`;
  }
  return null;
}
