/**
 * RFC 8460 §3 TLS-RPT records (`v=TLSRPTv1; rua=<uri>[,<uri>]`). Hand-written: mailauth covers
 * MTA-STS but not TLS-RPT, and the grammar is small.
 */
export interface TlsRptUri {
  uri: string;
  scheme: 'mailto' | 'https' | null;
  /** A mailto: with an address, or an https: URL with a host. */
  valid: boolean;
}

export interface TlsRptRecord {
  rua: TlsRptUri[];
  /** Extension fields (RFC 8460 §3 tlsrpt-extension), by name. */
  extensions: Record<string, string>;
}

export type TlsRptParse = { ok: true; record: TlsRptRecord } | { ok: false; error: string };

export const TLSRPT_VERSION = 'v=TLSRPTv1';

const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
// %x21-3A / %x3C / %x3E-7E: printable, without ';' and '='.
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/** Whether a TXT string is a TLS-RPT record: senders keep only those starting with the version. */
export function isTlsRptRecord(text: string): boolean {
  return /^v=TLSRPTv1\s*(;|$)/.test(text);
}

/** Whether text was probably meant as TLS-RPT (wrong case, stray spaces, other version). */
export function looksLikeTlsRpt(text: string): boolean {
  return /^\s*v\s*=\s*tlsrpt/i.test(text) || /(^|;)\s*rua\s*=/i.test(text);
}

export function checkReportUri(uri: string): TlsRptUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { uri, scheme: null, valid: false };
  }
  if (url.protocol === 'mailto:') {
    // RFC 8460 §3: a mailto URI naming one address (RFC 6068).
    const address = decodeURIComponent(url.pathname);
    return { uri, scheme: 'mailto', valid: /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(address) };
  }
  if (url.protocol === 'https:') return { uri, scheme: 'https', valid: url.hostname !== '' };
  return { uri, scheme: null, valid: false };
}

/** Parses a record that starts with the version; fails on field syntax or a missing/duplicate rua. */
export function parseTlsRptRecord(text: string): TlsRptParse {
  if (!isTlsRptRecord(text)) {
    return { ok: false, error: `the record must start with exactly '${TLSRPT_VERSION}'` };
  }
  const fields = text.split(';').map((f) => f.trim());
  // One trailing ';' is allowed (RFC 8460 §3: [field-delim]).
  if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  let rua: TlsRptUri[] | undefined;
  const extensions: Record<string, string> = {};
  for (const field of fields.slice(1)) {
    if (field === '') return { ok: false, error: 'empty field (two semicolons in a row)' };
    const eq = field.indexOf('=');
    if (eq < 0) return { ok: false, error: `'${field}' is not a name=value field` };
    const name = field.slice(0, eq);
    const value = field.slice(eq + 1);
    if (name === 'rua') {
      if (rua !== undefined) return { ok: false, error: 'rua appears more than once' };
      const uris = value.split(',').map((u) => u.trim());
      if (uris.some((u) => u === '')) return { ok: false, error: 'rua has an empty URI' };
      rua = uris.map(checkReportUri);
    } else {
      if (!EXT_NAME.test(name)) return { ok: false, error: `bad field name '${name}'` };
      if (!EXT_VALUE.test(value)) return { ok: false, error: `bad value for field '${name}'` };
      extensions[name] = value;
    }
  }
  if (rua === undefined) return { ok: false, error: 'no rua field: reports have nowhere to go' };
  return { ok: true, record: { rua, extensions } };
}
