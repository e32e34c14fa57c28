import { parse as parseSetCookie } from 'set-cookie-parser';

export interface CookieFinding {
  name: string;
  /** Where it was set. */
  url: string;
  secure: boolean;
  httpOnly: boolean;
  /** As sent (`Strict`, `Lax`, `None`), or null when absent. */
  sameSite: string | null;
  /** What is wrong with it, in words. */
  problems: Array<'not-secure' | 'not-httponly' | 'no-samesite' | 'samesite-none-not-secure'>;
}

/**
 * The cookies a response sets (Set-Cookie parsed by set-cookie-parser) and what each lacks:
 * `Secure` (a cookie set over HTTPS but sent over HTTP leaks), `HttpOnly` (script can read it),
 * `SameSite` (sent with cross-site requests). Only cookie names are kept, never values.
 */
export function judgeCookies(
  url: string,
  setCookie: readonly string[] | undefined,
): CookieFinding[] {
  if (!setCookie?.length) return [];
  return parseSetCookie([...setCookie], { decodeValues: false }).map((c) => {
    const sameSite = c.sameSite ?? null;
    const problems: CookieFinding['problems'] = [];
    if (!c.secure) problems.push('not-secure');
    if (!c.httpOnly) problems.push('not-httponly');
    if (!sameSite) problems.push('no-samesite');
    else if (sameSite.toLowerCase() === 'none' && !c.secure)
      problems.push('samesite-none-not-secure');
    return {
      name: c.name,
      url,
      secure: Boolean(c.secure),
      httpOnly: Boolean(c.httpOnly),
      sameSite,
      problems,
    };
  });
}
