import { ApiClient, ApiError } from './api-client';
import type { Format } from './output';

/** What every `perimeter --server …` command gets. */
export interface RemoteOptions {
  server: string;
  /** `--token`, else PERIMETER_TOKEN. */
  token: string | undefined;
  /** `--organisation <slug|id>`; optional when the token sees one organisation. */
  organisation: string | undefined;
  format: Format;
}

/** Runs a client command; API errors become one line on stderr and exit code 1 (2 for usage). */
export async function withClient(
  opts: RemoteOptions,
  run: (client: ApiClient) => Promise<number>,
): Promise<number> {
  let client: ApiClient | undefined;
  try {
    client = new ApiClient({ server: opts.server, token: opts.token });
    return await run(client);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    console.error(`error ${err.code}: ${err.message}`);
    return err.code === 'USAGE' ? 2 : 1;
  } finally {
    await client?.close();
  }
}

/** `90`, `90s`, `15m`, `6h`, `1d` → seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) throw new ApiError(`${what}: expected a duration like 90s, 15m, 6h or 1d`, 'USAGE');
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's']!;
}

export const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
