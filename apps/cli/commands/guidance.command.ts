import {
  GuidanceAreas,
  guidanceCatalogue,
  isGuidanceArea,
  Severities,
  type GuidanceTag,
} from '../../../libs/guidance';

export interface GuidanceCommandOptions {
  readonly area?: string;
  readonly severity?: string;
  readonly format: 'json' | 'table';
}

const MARK: Record<GuidanceTag['severity'], string> = {
  pass: 'PASS',
  info: 'INFO',
  warning: 'WARN',
  fail: 'FAIL',
};

function listTable(tags: GuidanceTag[], version: string): string[] {
  const idWidth = Math.max(2, ...tags.map((t) => t.id.length));
  return [
    `${'ID'.padEnd(idWidth)}  SEV   TRACKER  TITLE`,
    ...tags.map(
      (t) =>
        `${t.id.padEnd(idWidth)}  ${MARK[t.severity]}  ${(t.trackerTagId ?? '-').padEnd(7)}  ${t.title}`,
    ),
    '',
    `${tags.length} tag(s), catalogue ${version}`,
  ];
}

function showTable(t: GuidanceTag): string[] {
  return [
    `${t.id}  (${MARK[t.severity]}, area ${t.area}${t.trackerTagId ? `, Tracker ${t.trackerTagId}` : ''})`,
    t.title,
    '',
    `Applies when: ${t.appliesWhen}.`,
    '',
    'What it means:',
    `  ${t.meaning}`,
    ...(t.fix ? ['', 'How to fix it:', `  ${t.fix}`] : []),
    '',
    'References:',
    ...t.references.map((r) => `  - ${r}`),
  ];
}

/**
 * `perimeter guidance list [--area x] [--severity s] [--format json|table]` and
 * `perimeter guidance show <id>`: the catalogue this build ships, without any server.
 * Exit codes: 0 answered, 2 bad usage, 3 unknown tag.
 */
export async function guidanceCommand(
  sub: string | undefined,
  id: string | undefined,
  opts: GuidanceCommandOptions,
  out: (text: string) => void | Promise<void> = (text) => console.log(text),
): Promise<number> {
  const catalogue = guidanceCatalogue();
  const print = (json: unknown, table: () => string[]) =>
    out(opts.format === 'json' ? JSON.stringify(json, null, 2) : table().join('\n'));
  const fail = async (code: number, error: string, message: string) => {
    await print({ error, message }, () => [`${error}: ${message}`]);
    return code;
  };

  if (sub === 'list') {
    if (opts.area !== undefined && !isGuidanceArea(opts.area)) {
      return fail(2, 'Usage', `unknown area "${opts.area}"; known: ${GuidanceAreas.join(', ')}`);
    }
    if (opts.severity !== undefined && !(Severities as readonly string[]).includes(opts.severity)) {
      return fail(
        2,
        'Usage',
        `unknown severity "${opts.severity}"; known: ${Severities.join(', ')}`,
      );
    }
    const tags = [...catalogue.tags.values()].filter(
      (t) =>
        (opts.area === undefined || t.area === opts.area) &&
        (opts.severity === undefined || t.severity === opts.severity),
    );
    await print({ version: catalogue.version, tags }, () => listTable(tags, catalogue.version));
    return 0;
  }
  if (sub === 'show') {
    if (!id) return fail(2, 'Usage', 'perimeter guidance show <id>');
    const tag = catalogue.tags.get(id);
    if (!tag)
      return fail(
        3,
        'UnknownGuidanceTag',
        `no guidance tag "${id}" in catalogue ${catalogue.version}`,
      );
    await print({ version: catalogue.version, tag }, () => showTable(tag));
    return 0;
  }
  return fail(2, 'Usage', 'perimeter guidance list|show <id>');
}
