/**
 * security.txt (RFC 9116): fields, required Contact and Expires, expiry, OpenPGP cleartext
 * signature. Hand-written: the format is a handful of `Name: value` lines, and the npm parsers
 * for it are unmaintained. The signature is recognised (RFC 4880 §7 framing), not verified: that
 * needs the publisher's key, which RFC 9116 leaves to the reader to obtain.
 */

export interface SecurityTxt {
  /** Lower-case field name → values, in order. */
  fields: Record<string, string[]>;
  contact: string[];
  /** ISO date as written, when there is exactly one valid Expires. */
  expires: string | null;
  expired: boolean;
  signed: boolean;
  /** Problems that make the file invalid per RFC 9116 (besides being expired). */
  errors: string[];
  /** Recommendations not followed (Expires over a year ahead, …). */
  warnings: string[];
}

const KNOWN = new Set([
  'acknowledgments',
  'canonical',
  'contact',
  'encryption',
  'expires',
  'hiring',
  'policy',
  'preferred-languages',
  'csaf',
]);
const ONCE = new Set(['expires', 'preferred-languages']);
const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

const SIGNED_HEAD = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIG_HEAD = '-----BEGIN PGP SIGNATURE-----';
const SIG_TAIL = '-----END PGP SIGNATURE-----';

/** The signed text of a cleartext-signed message (dash-escaping undone), or null if not signed. */
function cleartext(text: string): { body: string; wellFormed: boolean } | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() !== '');
  if (lines[start]?.trim() !== SIGNED_HEAD) return null;
  // Armor headers (Hash: …) up to the first empty line.
  let i = start + 1;
  while (i < lines.length && lines[i]!.trim() !== '') i++;
  const sigAt = lines.indexOf(SIG_HEAD, i);
  const endAt = lines.indexOf(SIG_TAIL, sigAt);
  const body = lines
    .slice(i + 1, sigAt < 0 ? lines.length : sigAt)
    .map((l) => (l.startsWith('- ') ? l.slice(2) : l))
    .join('\n');
  return { body, wellFormed: sigAt > i && endAt > sigAt + 1 };
}

/** Parses a security.txt body; `now` is when "expired" is judged. */
export function parseSecurityTxt(text: string, now: Date = new Date()): SecurityTxt {
  const errors: string[] = [];
  const warnings: string[] = [];
  const signedPart = cleartext(text);
  if (signedPart && !signedPart.wellFormed) errors.push('the OpenPGP signature block is malformed');
  const body = signedPart ? signedPart.body : text;
  if (!signedPart && text.includes(SIG_HEAD))
    errors.push('a signature block without a signed message');
  const fields: Record<string, string[]> = {};
  body.split(/\r?\n/).forEach((line, n) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = /^([A-Za-z0-9-]+):[ \t]*(.*)$/.exec(t);
    if (!m) {
      errors.push(`line ${n + 1} is not a field ("Name: value")`);
      return;
    }
    const name = m[1]!.toLowerCase();
    (fields[name] ??= []).push(m[2]!.trim());
  });
  for (const name of ONCE) {
    if ((fields[name]?.length ?? 0) > 1) errors.push(`${name} appears more than once`);
  }
  const contact = fields.contact ?? [];
  if (contact.length === 0) errors.push('Contact is missing (required)');
  for (const c of contact) {
    if (!/^(mailto:|tel:|https:)/i.test(c)) {
      errors.push(`Contact '${c}' is not a mailto:, tel: or https: URI`);
    }
  }
  for (const name of Object.keys(fields)) {
    if (!KNOWN.has(name)) warnings.push(`unknown field '${name}'`);
  }
  let expires: string | null = null;
  let expired = false;
  const exp = fields.expires;
  if (!exp?.length) {
    errors.push('Expires is missing (required)');
  } else if (exp.length === 1) {
    const value = exp[0]!;
    const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
      ? Date.parse(value)
      : NaN;
    if (!Number.isFinite(at)) {
      errors.push(`Expires '${value}' is not an RFC 3339 date-time`);
    } else {
      expires = value;
      expired = at <= now.getTime();
      if (at - now.getTime() > YEAR_MS) warnings.push('Expires is more than a year away');
    }
  }
  return {
    fields,
    contact,
    expires,
    expired,
    signed: Boolean(signedPart?.wellFormed),
    errors,
    warnings,
  };
}
