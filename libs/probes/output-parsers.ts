/**
 * Named parsers that turn a scanning tool's standard output into a result payload. A probe picks
 * one with `--parser`; the name goes into the result's `format`.
 */
export type OutputParser = (stdout: string) => unknown;

export class OutputParseError extends Error {
  override readonly name = 'OutputParseError';
}

export const outputParsers: Record<string, OutputParser> = {
  /** The whole output is one JSON document (e.g. `nmap … -oJ`, `testssl --jsonfile /dev/stdout`). */
  json: (stdout) => {
    try {
      return JSON.parse(stdout) as unknown;
    } catch (err) {
      throw new OutputParseError(`output is not JSON: ${(err as Error).message}`);
    }
  },
  /** One JSON document per line (JSON Lines, e.g. `nuclei -jsonl`, `httpx -json`). */
  jsonl: (stdout) =>
    stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line, i) => {
        try {
          return JSON.parse(line) as unknown;
        } catch (err) {
          throw new OutputParseError(`line ${i + 1} is not JSON: ${(err as Error).message}`);
        }
      }),
  /** Non-empty lines, trimmed (e.g. `subfinder -silent`, `dig +short`). */
  lines: (stdout) =>
    stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
};

export function outputParser(name: string): OutputParser {
  const parser = outputParsers[name];
  if (!parser) {
    throw new OutputParseError(
      `unknown parser "${name}" (known: ${Object.keys(outputParsers).join(', ')})`,
    );
  }
  return parser;
}
