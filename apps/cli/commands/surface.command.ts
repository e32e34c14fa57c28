import { readFile, stat } from 'node:fs/promises';
import {
  DEFAULT_INVENTORY_LIMITS,
  InvalidInventory,
  parseInventory,
} from '../../../activities/surface/inventory';
import { buildSurfaceIndex, type SurfaceIndex } from '../../../activities/surface/surface-index';
import {
  attackers,
  ExposureUnavailable,
  explainAttackPath,
  mostExposed,
  stats,
  UnknownVm,
  vmInfo,
} from '../../../activities/surface/surface-queries';

export interface SurfaceCommandOptions {
  /** The VM whose attackers are listed; with `path`, the target of the path. */
  readonly vm?: string;
  readonly transitive: boolean;
  readonly format: 'json' | 'table';
  /** An attacker VM: print one shortest chain from it to `vm`. */
  readonly path?: string;
  /** Print the N most exposed VMs. */
  readonly top?: number;
}

/** Exit codes: 0 answered, 1 a question the index cannot answer, 2 bad input, 3 unknown VM. */
type Answer = Record<string, unknown>;

/**
 * `perimeter surface <inventory.json> [--vm <id> [--transitive] [--path <attacker>]] [--top N]
 * [--format json|table]`: the same engine as the workers, without any server. With no question,
 * prints the inventory's statistics.
 */
export async function surfaceCommand(
  file: string,
  opts: SurfaceCommandOptions,
  out: (line: string) => void = console.log,
): Promise<number> {
  const print = (answer: Answer, table: () => string[]) =>
    out(opts.format === 'json' ? JSON.stringify(answer, null, 2) : table().join('\n'));
  const fail = (code: number, error: string, message: string, extra: Answer = {}) => {
    print({ error, message, ...extra }, () => [`${error}: ${message}`]);
    return code;
  };

  if (opts.path !== undefined && opts.vm === undefined) {
    return fail(2, 'Usage', '--path <attacker> needs --vm <target>');
  }
  if (opts.top !== undefined && (!Number.isSafeInteger(opts.top) || opts.top < 0)) {
    return fail(2, 'Usage', `--top must be a non-negative integer, got ${opts.top}`);
  }

  let bytes: Buffer;
  try {
    // Checked before reading, so a huge file is refused without loading it.
    const { size } = await stat(file);
    if (size > DEFAULT_INVENTORY_LIMITS.maxBytes) {
      return fail(
        2,
        'InvalidInventory',
        `${file} is ${size} bytes; the limit is ${DEFAULT_INVENTORY_LIMITS.maxBytes}`,
      );
    }
    bytes = await readFile(file);
  } catch (err) {
    return fail(2, 'Unreadable', `cannot read ${file}: ${(err as Error).message}`);
  }

  let index: SurfaceIndex;
  try {
    index = buildSurfaceIndex(parseInventory(bytes));
  } catch (err) {
    if (!(err instanceof InvalidInventory)) throw err;
    print(
      {
        error: err.name,
        message: err.message,
        problemCount: err.problemCount,
        problems: err.problems,
      },
      () => [
        `invalid inventory: ${err.problemCount} problem(s)`,
        ...err.problems.map((p) => `  ${p.path}: ${p.message}`),
        ...(err.problemCount > err.problems.length
          ? [`  … and ${err.problemCount - err.problems.length} more`]
          : []),
      ],
    );
    return 2;
  }

  try {
    if (opts.vm === undefined && opts.top === undefined) {
      const s = stats(index);
      print({ stats: s }, () =>
        table(
          ['STATISTIC', 'VALUE'],
          Object.entries(s).map(([k, v]) => [k, String(v)]),
        ),
      );
      return 0;
    }
    const answer: Answer = {};
    const lines: string[] = [];
    if (opts.vm !== undefined && opts.path !== undefined) {
      const hops = explainAttackPath(index, opts.path, opts.vm);
      Object.assign(answer, {
        attacker: opts.path,
        target: opts.vm,
        path: hops ? [hops[0].from, ...hops.map((h) => h.to)] : null,
        hops,
      });
      lines.push(
        hops
          ? `shortest path from ${opts.path} to ${opts.vm}, ${hops.length} hop(s):`
          : `no path from ${opts.path} to ${opts.vm}`,
        ...(hops
          ? table(
              ['FROM', 'TO', 'RULE', 'SOURCE TAG', 'DEST TAG'],
              hops.map((h) => [h.from, h.to, h.fwId, h.sourceTag, h.destTag]),
            )
          : []),
      );
    } else if (opts.vm !== undefined) {
      const list = attackers(index, opts.vm, { transitive: opts.transitive });
      Object.assign(answer, { vm: opts.vm, transitive: opts.transitive, attackers: list });
      const info = vmInfo(index, opts.vm);
      lines.push(
        `${list.length} ${opts.transitive ? '' : 'direct '}attacker(s) of ${info.vmId} (${info.name}):`,
        ...table(
          ['VM', 'NAME', 'KIND'],
          list.map((a) => [a.vmId, vmInfo(index, a.vmId).name, a.kind]),
        ),
      );
    }
    if (opts.top !== undefined) {
      const top = mostExposed(index, opts.top);
      answer.mostExposed = top;
      lines.push(
        `${top.length} most exposed VM(s):`,
        ...table(
          ['VM', 'DIRECT ATTACKERS', 'TRANSITIVE ATTACKERS'],
          top.map((e) => [e.vmId, String(e.directAttackers), String(e.transitiveAttackers)]),
        ),
      );
    }
    print(answer, () => lines);
    return 0;
  } catch (err) {
    if (err instanceof UnknownVm) return fail(3, err.name, err.message, { vmId: err.vmId });
    if (err instanceof ExposureUnavailable) return fail(1, err.name, err.message);
    throw err;
  }
}

/** Left-aligned columns, two spaces apart. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
}
