import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { outputParser, OutputParseError, type OutputParser } from '../../../libs/probes';

export interface ProbeOptions {
  /** The Perimeter GraphQL endpoint. */
  apiUrl: string;
  /** An operator API key (from PERIMETER_TOKEN: never on the command line, where `ps` shows it). */
  token: string;
  organisationId: string;
  name: string;
  target: string;
  parser: string;
  /** The tool and its arguments; `{target}` is replaced, else the target is the last argument. */
  command: string[];
  /** Run again every N seconds until stopped; once when absent. */
  everySeconds?: number;
  /** `meta.type` of the results; the tool's name by default. */
  type?: string;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

const HEARTBEAT_MS = 60_000;
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

class ProbeApiError extends Error {
  override readonly name = 'ProbeApiError';
}

async function graphql<T>(opts: ProbeOptions, query: string, variables: object): Promise<T> {
  const res = await fetch(opts.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  if (body.errors?.length || !body.data) {
    const e = body.errors?.[0];
    throw new ProbeApiError(
      `${e?.extensions?.code ?? `HTTP ${res.status}`}: ${e?.message ?? 'no data'}`,
    );
  }
  return body.data;
}

function runTool(
  command: string[],
  target: string,
  timeoutSeconds: number,
): Promise<{ stdout: string; exitCode: number; args: string[] }> {
  const [file, ...rest] = command;
  const args = rest.some((a) => a.includes('{target}'))
    ? rest.map((a) => a.replaceAll('{target}', target))
    : [...rest, target];
  return new Promise((resolve, reject) => {
    // execFile, never a shell: the target cannot inject commands.
    execFile(
      file!,
      args,
      { timeout: timeoutSeconds * 1000, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error(`${file}: command not found`));
        } else if (err && err.killed) {
          reject(new Error(`${file}: no answer within ${timeoutSeconds} s`));
        } else {
          resolve({ stdout, exitCode: typeof err?.code === 'number' ? err.code : 0, args });
        }
      },
    );
  });
}

/** One run: the tool's output normalised into a standard result and posted. */
async function runOnce(
  opts: ProbeOptions,
  probeId: string,
  parse: OutputParser,
  out: (line: string) => void,
): Promise<boolean> {
  const startedAt = new Date();
  try {
    const { stdout, exitCode, args } = await runTool(
      opts.command,
      opts.target,
      opts.timeoutSeconds,
    );
    const output = parse(stdout);
    const result = {
      version: 1,
      format: `perimeter-probe/${opts.parser}`,
      meta: {
        uuid: randomUUID(),
        ts: startedAt.toISOString(),
        type: opts.type ?? path.basename(opts.command[0]!),
      },
      payload: {
        target: opts.target,
        command: [opts.command[0], ...args],
        exitCode,
        durationMs: Date.now() - startedAt.getTime(),
        output,
      },
    };
    const posted = await graphql<{ submitProbeResult: { id: string } }>(
      opts,
      `
        mutation ($p: ID!, $r: JSON!) {
          submitProbeResult(probeId: $p, result: $r) {
            id
          }
        }
      `,
      { p: probeId, r: result },
    );
    out(`posted ${posted.submitProbeResult.id} (${opts.target}, exit ${exitCode})`);
    return true;
  } catch (err) {
    if (err instanceof OutputParseError) out(`not posted: ${err.message}`);
    else out(`not posted: ${(err as Error).message}`);
    return false;
  }
}

/**
 * `perimeter probe`: wraps any scanning tool. Registers the probe, runs the tool on the target once
 * or every N seconds, normalises its output with a named parser and posts a standard result;
 * heartbeats keep it "online" between runs. Exit 0 when every run was posted, 1 otherwise.
 */
export async function probeCommand(
  opts: ProbeOptions,
  out: (line: string) => void = console.log,
): Promise<number> {
  let parse: OutputParser;
  try {
    parse = outputParser(opts.parser);
  } catch (err) {
    out((err as Error).message);
    return 2;
  }
  if (opts.command.length === 0) {
    out('name the tool to run after --, e.g. perimeter probe … -- dig +short {target}');
    return 2;
  }
  if (
    opts.everySeconds !== undefined &&
    !(Number.isInteger(opts.everySeconds) && opts.everySeconds >= 1)
  ) {
    out('--every: a whole number of seconds, at least 1');
    return 2;
  }
  if (!opts.token) {
    out('PERIMETER_TOKEN is not set (an operator API key)');
    return 2;
  }
  const registered = await graphql<{ registerProbe: { id: string } }>(
    opts,
    `
      mutation ($o: ID!, $n: String!, $t: String) {
        registerProbe(organisationId: $o, name: $n, tool: $t) {
          id
        }
      }
    `,
    { o: opts.organisationId, n: opts.name, t: path.basename(opts.command[0]!) },
  );
  const probeId = registered.registerProbe.id;
  out(`probe ${opts.name} registered (${probeId})`);

  let allPosted = true;
  for (;;) {
    allPosted = (await runOnce(opts, probeId, parse, out)) && allPosted;
    if (opts.everySeconds === undefined || opts.signal?.aborted) break;
    // Wait for the next run, saying we are alive meanwhile.
    const next = Date.now() + opts.everySeconds * 1000;
    while (Date.now() < next && !opts.signal?.aborted) {
      await sleep(Math.min(HEARTBEAT_MS, next - Date.now()), undefined, {
        signal: opts.signal,
      }).catch(() => undefined);
      if (Date.now() < next && !opts.signal?.aborted) {
        await graphql(
          opts,
          `
            mutation ($id: ID!) {
              probeHeartbeat(id: $id) {
                id
              }
            }
          `,
          {
            id: probeId,
          },
        ).catch((err: Error) => out(`heartbeat failed: ${err.message}`));
      }
    }
    if (opts.signal?.aborted) break;
  }
  return allPosted ? 0 : 1;
}
