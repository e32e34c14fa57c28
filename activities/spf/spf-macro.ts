/**
 * SPF macros (RFC 7208 §7): validation of macro-strings and the one expansion a static checker
 * can do, %{d} (the domain whose record is being evaluated). Hand-written: no library exposes it.
 */

const LETTERS = 'slodiphcrtv';
/** Letters that only exist while a receiver answers a rejected message (RFC 7208 §7.2). */
const EXP_ONLY_LETTERS = 'crt';
const MACRO_BODY = /^([a-z])([0-9]*)(r?)([.\-+,/_=]*)$/i;
const DEFAULT_DELIMITER = '.';

export type MacroContext = 'domain-spec' | 'explanation';

export type MacroToken =
  | { kind: 'literal'; text: string }
  | { kind: 'escape'; text: '%%' | '%_' | '%-' }
  | {
      kind: 'expand';
      text: string;
      letter: string;
      urlEscape: boolean;
      digits?: number;
      reverse: boolean;
      delimiters: string;
    };

export type MacroParse = { ok: true; tokens: MacroToken[] } | { ok: false; error: string };

/**
 * Splits a macro-string into literals and macros; reports the first invalid macro. `explanation`
 * allows spaces and the c, r, t letters (exp= text); `domain-spec` allows neither.
 */
export function parseMacroString(text: string, context: MacroContext): MacroParse {
  const tokens: MacroToken[] = [];
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '%') {
      const code = ch.charCodeAt(0);
      const visible = code >= 0x21 && code <= 0x7e;
      if (!visible && !(context === 'explanation' && ch === ' ')) {
        return { ok: false, error: `contains the character ${describeChar(ch)}` };
      }
      literal += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      flush();
      tokens.push({ kind: 'escape', text: `%${next}` });
      i++;
      continue;
    }
    if (next !== '{') {
      const shown = next === undefined ? '%' : `%${next}`;
      return {
        ok: false,
        error: `"${shown}" is not a macro (a literal percent sign is written "%%")`,
      };
    }
    const close = text.indexOf('}', i + 2);
    if (close < 0) return { ok: false, error: `"${text.slice(i)}" has no closing "}"` };
    const whole = text.slice(i, close + 1);
    const body = text.slice(i + 2, close);
    const m = MACRO_BODY.exec(body);
    const letter = m?.[1]?.toLowerCase();
    if (!m || !letter || !LETTERS.includes(letter)) {
      const bad = body[0] ?? '';
      const reason =
        bad && !LETTERS.includes(bad.toLowerCase())
          ? `"${bad}" is not a macro letter (s l o d i p h v, and c r t in exp text)`
          : 'transformers must be digits, then an optional "r", then delimiters from ". - + , / _ ="';
      return { ok: false, error: `"${whole}": ${reason}` };
    }
    if (context === 'domain-spec' && EXP_ONLY_LETTERS.includes(letter)) {
      return {
        ok: false,
        error: `"${whole}": the "${letter}" macro is only allowed in exp= explanation text`,
      };
    }
    const digits = m[2] ? Number(m[2]) : undefined;
    if (digits === 0) {
      return { ok: false, error: `"${whole}": the number of labels to keep must be at least 1` };
    }
    flush();
    tokens.push({
      kind: 'expand',
      text: whole,
      letter,
      urlEscape: m[1] !== letter,
      digits,
      reverse: m[3] !== '',
      delimiters: m[4] ?? '',
    });
    i = close;
  }
  flush();
  return { ok: true, tokens };
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'space';
  if (ch === '\t') return 'tab';
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${code > 0x7e ? ` ("${ch}")` : ''}`;
}

export function hasMacro(text: string): boolean {
  return text.includes('%');
}

/**
 * Expands a domain-spec whose only macros are %{d} (and the %%, %_, %- escapes) for `domain`.
 * Returns undefined when it needs data only a receiver has (sender, client IP, HELO name).
 */
export function expandDomainSpec(spec: string, domain: string): string | undefined {
  const parsed = parseMacroString(spec, 'domain-spec');
  if (!parsed.ok) return undefined;
  let out = '';
  for (const token of parsed.tokens) {
    if (token.kind === 'literal') out += token.text;
    else if (token.kind === 'escape')
      out += token.text === '%%' ? '%' : token.text === '%_' ? ' ' : '%20';
    else if (token.letter === 'd') out += transform(domain, token);
    else return undefined;
  }
  // DNS names compare case-insensitively; lower case makes loops and duplicates visible.
  return truncateName(out.replace(/\.$/, '').toLowerCase());
}

function transform(value: string, token: Extract<MacroToken, { kind: 'expand' }>): string {
  const delimiters = token.delimiters || DEFAULT_DELIMITER;
  let parts = value.split(new RegExp(`[${delimiters.replace(/[-\\\]^]/g, '\\$&')}]`));
  if (token.reverse) parts = parts.reverse();
  if (token.digits !== undefined) parts = parts.slice(-token.digits);
  const joined = parts.join('.');
  return token.urlEscape ? encodeURIComponent(joined) : joined;
}

/** RFC 7208 §7.3: over 253 octets, drop labels from the left. */
function truncateName(name: string): string {
  let out = name;
  while (out.length > 253 && out.includes('.')) out = out.slice(out.indexOf('.') + 1);
  return out;
}
