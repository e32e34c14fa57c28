/**
 * Strict-Transport-Security (RFC 6797 §6.1), parsed as a browser does. Hand-written: the header
 * is tiny and no maintained library parses it (libraries only set it).
 */

/** One year: what HSTS guidance (and the preload list) asks for. */
export const HSTS_STRONG_MAX_AGE = 31_536_000;
/** pshtt's older preload threshold (18 weeks), kept for the explanation only. */
export const HSTS_PSHTT_PRELOAD_MAX_AGE = 10_886_400;

export interface HstsPolicy {
  /** The header as received (the first one: RFC 6797 §8.1 says only the first counts). */
  raw: string;
  /** False when a browser would ignore the header; `errors` says why. */
  valid: boolean;
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
  errors: string[];
  /** More than one header was sent; only the first was used. */
  ignoredHeaders: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits on `;` outside quoted strings. */
function directives(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += c + value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((d) => d.trim()).filter(Boolean);
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2
    ? v.slice(1, -1).replace(/\\(.)/g, '$1')
    : v;
}

/** Parses the Strict-Transport-Security header(s) of one response; null when there is none. */
export function parseHsts(values: readonly string[] | undefined): HstsPolicy | null {
  if (!values || values.length === 0) return null;
  const raw = values[0]!;
  const errors: string[] = [];
  const seen = new Set<string>();
  let maxAge: number | null = null;
  let includeSubDomains = false;
  let preload = false;
  for (const directive of directives(raw)) {
    const eq = directive.indexOf('=');
    const name = (eq < 0 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : unquote(directive.slice(eq + 1).trim());
    if (!TOKEN.test(name)) {
      errors.push(`directive name '${name}' is not a token`);
      continue;
    }
    if (seen.has(name)) errors.push(`directive '${name}' appears more than once`);
    seen.add(name);
    if (name === 'max-age') {
      if (value === undefined || !/^\d+$/.test(value)) {
        errors.push(`max-age '${value ?? ''}' is not a number of seconds`);
      } else {
        maxAge = Math.min(Number(value), Number.MAX_SAFE_INTEGER);
      }
    } else if (name === 'includesubdomains') {
      if (value !== undefined) errors.push('includeSubDomains takes no value');
      includeSubDomains = true;
    } else if (name === 'preload') {
      preload = true;
    }
    // Unknown directives are ignored (§6.1).
  }
  if (maxAge === null && !errors.some((e) => e.startsWith('max-age'))) {
    errors.push('max-age is missing');
  }
  return {
    raw,
    valid: errors.length === 0,
    maxAge,
    includeSubDomains,
    preload,
    errors,
    ignoredHeaders: values.length - 1,
  };
}
