import { DmarcReportError } from './errors';
import type { AggregateReport, ReportHeader, ReportRecord } from './model';
import { DEFAULT_UNPACK_LIMITS, xmlParts, type ReportInput, type UnpackLimits } from './unpack';
import { streamReportXml, type StreamReportResult } from './xml-report.parser';

export interface ReportProblem {
  code: string;
  message: string;
}

/** What became of one XML document inside an input. */
export type PartOutcome =
  | ({ part: string; ok: true } & StreamReportResult)
  | { part: string; ok: false; error: ReportProblem };

export interface InputOutcome {
  source: string;
  parts: PartOutcome[];
  /** The input as a whole could not be read (bomb, corrupt archive, no report in the e-mail). */
  error?: ReportProblem;
}

export interface ReadReportsOptions {
  limits?: UnpackLimits;
  maxRecords?: number;
  onHeader?: (part: string, header: ReportHeader) => void | 'skip' | Promise<void | 'skip'>;
  onRecord?: (part: string, record: ReportRecord) => void | Promise<void>;
  /** Called when a part ends, successfully or not (e.g. to commit or roll back its rows). */
  onPartEnd?: (outcome: PartOutcome) => void | Promise<void>;
}

function problem(err: DmarcReportError): ReportProblem {
  return { code: err.code, message: err.message };
}

/**
 * Reads every report in one input. A bad report is recorded and the next one is read; only
 * errors that are not about the input (a database that went away) propagate.
 */
export async function readReports(
  input: ReportInput,
  options: ReadReportsOptions = {},
): Promise<InputOutcome> {
  const outcome: InputOutcome = { source: input.name, parts: [] };
  try {
    for await (const part of xmlParts(input, options.limits ?? DEFAULT_UNPACK_LIMITS)) {
      let result: PartOutcome;
      try {
        const parsed = await streamReportXml(part.stream, {
          maxRecords: options.maxRecords,
          onHeader: options.onHeader && ((h) => options.onHeader!(part.name, h)),
          onRecord: options.onRecord && ((r) => options.onRecord!(part.name, r)),
        });
        result = { part: part.name, ok: true, ...parsed };
      } catch (err) {
        if (!(err instanceof DmarcReportError)) throw err;
        // An archive-level limit stops the whole input, not just this part.
        if (err.code === 'DECOMPRESSED_TOO_LARGE' || err.code === 'CORRUPT_ARCHIVE') throw err;
        result = { part: part.name, ok: false, error: problem(err) };
      }
      outcome.parts.push(result);
      await options.onPartEnd?.(result);
    }
  } catch (err) {
    if (!(err instanceof DmarcReportError)) throw err;
    outcome.error = problem(err);
  }
  return outcome;
}

/** Whole reports in memory, for small inputs (tests, the CLI's JSON of a few files). */
export async function readReportsInMemory(
  input: ReportInput,
  options: Omit<ReadReportsOptions, 'onRecord' | 'onHeader'> = {},
): Promise<{
  source: string;
  reports: AggregateReport[];
  problems: Array<ReportProblem & { part: string }>;
}> {
  const records = new Map<string, ReportRecord[]>();
  const outcome = await readReports(input, {
    ...options,
    onRecord: (part, r) => {
      let list = records.get(part);
      if (!list) records.set(part, (list = []));
      list.push(r);
    },
  });
  const reports: AggregateReport[] = [];
  const problems: Array<ReportProblem & { part: string }> = [];
  for (const p of outcome.parts) {
    if (p.ok)
      reports.push({ ...p.header, records: records.get(p.part) ?? [], warnings: p.warnings });
    else problems.push({ part: p.part, ...p.error });
  }
  if (outcome.error) problems.push({ part: input.name, ...outcome.error });
  return { source: input.name, reports, problems };
}
