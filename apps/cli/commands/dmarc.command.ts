import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readReports, type ReportHeader, type ReportRecord } from '../../../libs/dmarc-report';

export interface DmarcParseOptions {
  readonly format: 'json' | 'csv';
}

type Write = (chunk: string) => void | Promise<void>;

/** Writes to stdout and waits when its buffer is full, so a huge report never piles up in memory. */
export const stdoutWrite: Write = (chunk) =>
  process.stdout.write(chunk)
    ? undefined
    : new Promise<void>((resolve) => process.stdout.once('drain', resolve));

const CSV_COLUMNS = [
  'source',
  'reporter',
  'report_id',
  'begin',
  'end',
  'domain',
  'policy',
  'source_ip',
  'count',
  'disposition',
  'dkim_aligned',
  'spf_aligned',
  'header_from',
  'envelope_from',
  'envelope_to',
  'dkim_results',
  'spf_results',
  'reasons',
];

function csvField(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // A leading = + - @ would be a formula in a spreadsheet: reports are attacker-controlled.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function csvRow(source: string, h: ReportHeader, r: ReportRecord): string {
  return `${[
    source,
    h.metadata.orgName,
    h.metadata.reportId,
    iso(h.metadata.begin),
    iso(h.metadata.end),
    h.policy.domain,
    h.policy.p,
    r.sourceIp,
    r.count,
    r.disposition,
    r.dkim,
    r.spf,
    r.headerFrom,
    r.envelopeFrom,
    r.envelopeTo,
    r.dkimResults
      .map((d) => `${d.domain}${d.selector ? `/${d.selector}` : ''}=${d.result}`)
      .join(' '),
    r.spfResults.map((s) => `${s.domain}${s.scope ? `/${s.scope}` : ''}=${s.result}`).join(' '),
    r.reasons.map((x) => (x.comment ? `${x.type}: ${x.comment}` : x.type)).join('; '),
  ]
    .map(csvField)
    .join(',')}\r\n`;
}

/**
 * `perimeter dmarc parse <files…> [--format json|csv]`: every report in the files (XML, .gz,
 * .zip, e-mails), streamed to stdout record by record. A bad file is reported and the rest are
 * read. Exit 0 when everything was read, 1 when some input or report could not be.
 */
export async function dmarcParseCommand(
  files: string[],
  opts: DmarcParseOptions,
  write: Write = stdoutWrite,
  warn: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  let failures = 0;
  let firstObject = true;
  if (opts.format === 'json') await write('[');
  else await write(`${CSV_COLUMNS.join(',')}\r\n`);
  const beginObject = async (fields: Record<string, unknown>) => {
    const json = JSON.stringify(fields);
    await write(`${firstObject ? '\n' : ',\n'}${json.slice(0, -1)}`);
    firstObject = false;
  };
  for (const file of files) {
    const name = path.basename(file);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a regular file');
    } catch (err) {
      failures++;
      if (opts.format === 'json')
        await write(
          `${firstObject ? '\n' : ',\n'}${JSON.stringify({ source: file, error: { code: 'UNREADABLE', message: (err as Error).message } })}`,
        );
      else warn(`${file}: UNREADABLE: ${(err as Error).message}`);
      firstObject = false;
      continue;
    }
    let header: ReportHeader | undefined;
    let firstRecord = true;
    const outcome = await readReports(
      { name, path: file },
      {
        onHeader: async (part, h) => {
          header = h;
          firstRecord = true;
          if (opts.format === 'json') {
            await beginObject({ source: file, part, ...h });
            await write(',"records":[');
          }
        },
        onRecord: async (_part, r) => {
          if (opts.format === 'csv') return write(csvRow(file, header!, r));
          await write(`${firstRecord ? '' : ','}\n${JSON.stringify(r)}`);
          firstRecord = false;
        },
        onPartEnd: async (o) => {
          const started = header !== undefined;
          header = undefined;
          if (!o.ok) failures++;
          if (opts.format === 'csv') {
            if (o.ok) for (const w of o.warnings) warn(`${o.part}: warning: ${w}`);
            else warn(`${o.part}: ${o.error.code}: ${o.error.message}`);
            return;
          }
          if (!started) await beginObject({ source: file, part: o.part });
          else await write(']');
          await write(
            o.ok
              ? `,"warnings":${JSON.stringify(o.warnings)}}`
              : `,"error":${JSON.stringify(o.error)}}`,
          );
        },
      },
    );
    if (outcome.error) {
      failures++;
      if (opts.format === 'json') {
        await write(
          `${firstObject ? '\n' : ',\n'}${JSON.stringify({ source: file, error: outcome.error })}`,
        );
        firstObject = false;
      } else warn(`${file}: ${outcome.error.code}: ${outcome.error.message}`);
    }
  }
  if (opts.format === 'json') await write('\n]\n');
  return failures === 0 ? 0 : 1;
}
