import ipaddr from 'ipaddr.js';
import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import { DmarcReportError } from './errors';
import type {
  AggregateReport,
  DkimAuthResult,
  PolicyPublished,
  ReportHeader,
  ReportMetadata,
  ReportRecord,
  ReportTotals,
  SpfAuthResult,
} from './model';

export const DMARC_2_NAMESPACE = 'urn:ietf:params:xml:ns:dmarc-2.0';

export interface StreamReportOptions {
  /** Once, before the first record (or at the end when there is none). Return 'skip' to stop. */
  onHeader?: (header: ReportHeader) => void | 'skip' | Promise<void | 'skip'>;
  /** Each record in document order; awaited, so a slow consumer slows the parser down. */
  onRecord?: (record: ReportRecord) => void | Promise<void>;
  /** Refuse reports with more records than this (default: no limit). */
  maxRecords?: number;
  /** Give up after this many XML syntax errors (default 200): the rest is noise. */
  maxSyntaxErrors?: number;
}

export interface StreamReportResult {
  header: ReportHeader;
  warnings: string[];
  totals: ReportTotals;
  /** True when onHeader asked to skip the records. */
  skipped: boolean;
}

const MAX_TEXT = 64 * 1024;
const MAX_WARNINGS = 100;
const MAX_BUFFERED_RECORDS = 10_000;
const DAY = 86_400;

const HEADER_ONLY_9990 = new Set(['np', 'testing', 'discovery_method', 'generator']);
const METADATA_FIELDS = new Set([
  'org_name',
  'email',
  'extra_contact_info',
  'report_id',
  'date_range/begin',
  'date_range/end',
  'generator',
]);
const POLICY_FIELDS = new Set([
  'domain',
  'adkim',
  'aspf',
  'p',
  'sp',
  'np',
  'pct',
  'fo',
  'testing',
  'discovery_method',
]);

class SkipReport extends Error {}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function lower(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v.toLowerCase() : null;
}

function text(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** Picks the text decoder from a byte-order mark or the XML declaration (UTF-8 otherwise). */
function sniffEncoding(head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
    Buffer.from(head.subarray(0, 200)).toString('latin1'),
  );
  if (decl) {
    try {
      return new TextDecoder(decl[1]).encoding;
    } catch {
      return 'utf-8';
    }
  }
  return 'utf-8';
}

interface RecordDraft {
  fields: Record<string, string>;
  reasons: Array<{ type?: string; comment?: string }>;
  dkim: Array<Record<string, string>>;
  spf: Array<Record<string, string>>;
}

/**
 * Reads one aggregate report from XML bytes, streaming: records are handed to `onRecord` as they
 * close and are not kept, so memory stays flat whatever the report's size. DTDs are refused
 * (no entity can be declared, so neither XXE nor "billion laughs" can happen); syntax errors
 * are recovered from where saxes can and recorded as warnings.
 */
export async function streamReportXml(
  input: AsyncIterable<Uint8Array | string>,
  options: StreamReportOptions = {},
): Promise<StreamReportResult> {
  const warnings: string[] = [];
  const seenWarnings = new Set<string>();
  let droppedWarnings = 0;
  const warn = (message: string, key = message) => {
    if (seenWarnings.has(key)) return;
    seenWarnings.add(key);
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    else droppedWarnings++;
  };
  const maxSyntaxErrors = options.maxSyntaxErrors ?? 200;
  let syntaxErrors = 0;

  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  let buffer = '';
  let truncated = false;
  let namespaced = false;
  let rootSeen = false;
  let version: string | null = null;
  const meta: Record<string, string> = {};
  const metaErrors: string[] = [];
  const policy: Record<string, string> = {};
  let sawMetadata = false;
  let sawPolicy = false;
  let sawHuman = false;
  let draft: RecordDraft | undefined;
  let recordIndex = 0;
  const ready: ReportRecord[] = [];
  let header: ReportHeader | undefined;
  let headerPending = true;
  let skipped = false;
  const totals: ReportTotals = { recordCount: 0, messageCount: 0, bytes: 0 };
  const unknown = new Set<string>();

  parser.on('doctype', () => {
    throw new DmarcReportError(
      'XML_DTD_REFUSED',
      'the report declares a DTD (<!DOCTYPE>); DTDs and entity declarations are refused',
    );
  });
  parser.on('error', (err) => {
    syntaxErrors++;
    const where = err.message.replace(/^undefined:/, 'line ');
    warn(
      `XML syntax error recovered from: ${where}`,
      `syntax:${err.message.replace(/^[^ ]+ /, '')}`,
    );
    if (syntaxErrors > maxSyntaxErrors) {
      throw new DmarcReportError(
        'XML_MALFORMED',
        `more than ${maxSyntaxErrors} XML syntax errors; first: ${warnings.find((w) => w.startsWith('XML syntax')) ?? err.message}`,
      );
    }
  });
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (!rootSeen) {
      rootSeen = true;
      if (name !== 'feedback') {
        throw new DmarcReportError(
          'NOT_A_REPORT',
          `the root element is <${tag.name.slice(0, 64)}>, not <feedback>`,
        );
      }
    }
    for (const attr in tag.attributes) {
      if (
        (attr === 'xmlns' || attr.startsWith('xmlns:')) &&
        String(tag.attributes[attr]) === DMARC_2_NAMESPACE
      )
        namespaced = true;
    }
    stack.push(name);
    buffer = '';
    truncated = false;
    const depth = stack.length;
    if (depth === 2 && name === 'record') {
      draft = { fields: {}, reasons: [], dkim: [], spf: [] };
      recordIndex++;
    } else if (draft && depth === 5 && stack[3] === 'policy_evaluated' && name === 'reason') {
      draft.reasons.push({});
    } else if (draft && depth === 4 && stack[2] === 'auth_results') {
      if (name === 'dkim') draft.dkim.push({});
      else if (name === 'spf') draft.spf.push({});
    }
  });
  const onText = (t: string) => {
    if (truncated) return;
    if (buffer.length + t.length > MAX_TEXT) {
      truncated = true;
      warn(`an element's text is longer than ${MAX_TEXT} characters and was cut`, 'long-text');
      buffer += t.slice(0, MAX_TEXT - buffer.length);
    } else buffer += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const path = () => stack.slice(1).join('/');
    const value = buffer;
    buffer = '';
    const section = stack[1];
    if (stack.length === 2) {
      if (section === 'version') version = value.trim() || null;
      else if (section === 'report_metadata') sawMetadata = true;
      else if (section === 'policy_published') sawPolicy = true;
      else if (section === 'generator') meta.generator = value;
      else if (section === 'record' && draft) {
        const record = finishRecord(draft, recordIndex, warn);
        draft = undefined;
        if (record) ready.push(record);
      } else if (section !== 'extension' && section !== 'extensions') noteUnknown(path());
    } else if (section === 'record') {
      if (draft) recordField(draft, value);
    } else if (section === 'report_metadata') {
      const field = stack.slice(2).join('/');
      if (field === 'error') metaErrors.push(value.trim());
      else if (METADATA_FIELDS.has(field)) meta[field] = value;
      else if (field !== 'date_range') noteUnknown(path());
    } else if (section === 'policy_published' && stack.length === 3) {
      const field = stack[2];
      if (POLICY_FIELDS.has(field)) policy[field] = value;
      else noteUnknown(path());
    }
    stack.pop();
  });

  function noteUnknown(path: string) {
    if (path.startsWith('extension') || path.includes('/extension')) return;
    if (unknown.has(path) || unknown.size > 20) return;
    unknown.add(path);
    warn(`unknown element <${path.slice(0, 120)}> ignored`);
  }

  /** A leaf inside <record>: stack is [feedback, record, group, field, sub, leaf]. */
  function recordField(d: RecordDraft, value: string) {
    const depth = stack.length;
    const group = stack[2];
    const field = stack[3];
    if (group === 'row') {
      if (depth === 4 && (field === 'source_ip' || field === 'count')) d.fields[field] = value;
      else if (field === 'policy_evaluated') {
        if (depth === 5) d.fields[`pe_${stack[4]}`] = value;
        else if (depth === 6 && stack[4] === 'reason') {
          const leaf = stack[5];
          const reason = d.reasons.at(-1);
          if (reason && (leaf === 'type' || leaf === 'comment')) reason[leaf] = value;
        }
      }
    } else if (depth === 4 && (group === 'identifiers' || group === 'identities')) {
      if (group === 'identities') warn('<identities> read as <identifiers> (an old draft name)');
      d.fields[field] = value;
    } else if (depth === 5 && group === 'auth_results') {
      const list = field === 'dkim' ? d.dkim : field === 'spf' ? d.spf : undefined;
      const entry = list?.at(-1);
      const sub = stack[4];
      if (entry) entry[sub] = value;
      if (sub === 'human_result') sawHuman = true;
    }
  }

  function buildHeader(): ReportHeader {
    if (!sawMetadata && !sawPolicy) {
      throw new DmarcReportError(
        'NOT_A_REPORT',
        'no <report_metadata> and no <policy_published>: not a DMARC aggregate report',
      );
    }
    if (!sawMetadata) warn('no <report_metadata>');
    if (!sawPolicy) warn('no <policy_published>');
    const email = text(meta.email);
    let orgName = text(meta.org_name);
    if (!orgName) {
      orgName = email?.split('@')[1]?.toLowerCase() ?? 'unknown';
      warn(`empty <org_name>; the reporter is called "${orgName}"`);
    }
    const begin = parseTimestamp(meta['date_range/begin'], 'begin', warn);
    let end = parseTimestamp(meta['date_range/end'], 'end', warn);
    if (end < begin) {
      warn('date_range ends before it begins; the end is taken to equal the begin');
      end = begin;
    } else if (end === begin) warn('date_range begins and ends at the same second');
    else if (end - begin > DAY + 3600)
      warn(`date_range spans ${Math.ceil((end - begin) / DAY)} days`);
    const domain = lower(policy.domain)?.replace(/\.$/, '') ?? '';
    if (!domain) warn('no <policy_published><domain>');
    let reportId = text(meta.report_id);
    if (!reportId) {
      reportId = `perimeter:${orgName}:${domain}:${begin}-${end}`;
      warn(`no <report_id>; identified as "${reportId}"`);
    }
    const pctText = text(policy.pct);
    let pct: number | null = null;
    if (pctText !== null) {
      const n = Number(pctText);
      if (Number.isInteger(n) && n >= 0 && n <= 100) pct = n;
      else warn(`pct "${pctText.slice(0, 20)}" is not 0-100; ignored`);
    }
    const metadata: ReportMetadata = {
      orgName,
      email,
      extraContactInfo: text(meta.extra_contact_info),
      reportId,
      begin,
      end,
      errors: metaErrors.filter(Boolean),
      generator: text(meta.generator),
    };
    const published: PolicyPublished = {
      domain,
      adkim: lower(policy.adkim),
      aspf: lower(policy.aspf),
      p: lower(policy.p),
      sp: lower(policy.sp),
      np: lower(policy.np),
      pct,
      fo: text(policy.fo),
      testing: lower(policy.testing),
      discoveryMethod: lower(policy.discovery_method),
    };
    const has9990 =
      namespaced ||
      sawHuman ||
      Object.keys(policy).some((k) => HEADER_ONLY_9990.has(k)) ||
      meta.generator !== undefined;
    const schema = has9990 ? 'rfc9990' : version !== null ? 'rfc7489' : 'draft';
    return { schema, version, namespaced, metadata, policy: published };
  }

  async function drain() {
    if (ready.length === 0) return;
    if (headerPending) {
      if (!sawMetadata && !sawPolicy) {
        if (ready.length > MAX_BUFFERED_RECORDS) {
          throw new DmarcReportError(
            'NOT_A_REPORT',
            `${MAX_BUFFERED_RECORDS} records before any <report_metadata>`,
          );
        }
        return;
      }
      await emitHeader();
    }
    const batch = ready.splice(0);
    for (const record of batch) {
      totals.recordCount++;
      totals.messageCount += record.count;
      if (options.maxRecords !== undefined && totals.recordCount > options.maxRecords) {
        throw new DmarcReportError(
          'TOO_MANY_RECORDS',
          `the report has more than ${options.maxRecords} records`,
        );
      }
      if (!skipped) await options.onRecord?.(record);
    }
  }

  async function emitHeader() {
    headerPending = false;
    header = buildHeader();
    if ((await options.onHeader?.(header)) === 'skip') {
      skipped = true;
      throw new SkipReport();
    }
  }

  let decoder: TextDecoder | undefined;
  let replacementWarned = false;
  let carry = '';
  const feed = (chunk: string, final = false) => {
    let s = carry + chunk;
    carry = '';
    if (!final) {
      // Hold back a possibly split entity or '<' so the repair below sees it whole.
      const amp = s.lastIndexOf('&');
      const cut = amp >= 0 && amp > s.length - 40 && !/[;<]/.test(s.slice(amp)) ? amp : s.length;
      const end = s.endsWith('<') ? Math.min(cut, s.length - 1) : cut;
      carry = s.slice(end);
      s = s.slice(0, end);
    }
    if (!replacementWarned && s.includes('\uFFFD')) {
      replacementWarned = true;
      warn('invalid byte sequences for the declared encoding were replaced with U+FFFD');
    }
    const repaired = repairMarkup(s);
    if (repaired !== s) warn('unescaped "&" or "<" in text repaired', 'repair');
    parser.write(repaired);
  };
  try {
    for await (const chunk of input) {
      if (typeof chunk === 'string') {
        totals.bytes += Buffer.byteLength(chunk);
        feed(chunk);
      } else {
        totals.bytes += chunk.length;
        decoder ??= new TextDecoder(sniffEncoding(chunk), { fatal: false, ignoreBOM: false });
        feed(decoder.decode(chunk, { stream: true }));
      }
      await drain();
    }
    feed(decoder ? decoder.decode() : '', true);
    if (!rootSeen) throw new DmarcReportError('NOT_A_REPORT', 'the document has no XML element');
    if (draft) warn(`the document ends inside record ${recordIndex}; that record is lost`);
    parser.close();
    await drain();
    if (headerPending) await emitHeader();
  } catch (err) {
    if (!(err instanceof SkipReport)) throw err;
  }
  if (droppedWarnings > 0) warnings.push(`${droppedWarnings} more warnings not shown`);
  return { header: header!, warnings, totals, skipped };
}

/**
 * Reporters send bare "&" (AT&T) and "<" (1 < 2) in text; XML parsers then swallow the rest of
 * the element. Escaping them first keeps everything else intact.
 */
function repairMarkup(s: string): string {
  if (!s.includes('&') && !s.includes('<')) return s;
  return s
    .replace(/&(?!#\d{1,8};|#x[0-9a-fA-F]{1,8};|[A-Za-z_][A-Za-z0-9._-]{0,30};)/g, '&amp;')
    .replace(/<(?=[\s\d=<])/g, '&lt;');
}

function parseTimestamp(
  value: string | undefined,
  which: string,
  warn: (m: string) => void,
): number {
  const v = value?.trim();
  if (!v) {
    warn(`no date_range ${which}`);
    return 0;
  }
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) {
    if (!Number.isInteger(n))
      warn(`date_range ${which} "${v.slice(0, 30)}" has a fraction; truncated`);
    return Math.trunc(n);
  }
  const parsed = Date.parse(v);
  if (Number.isFinite(parsed)) {
    warn(`date_range ${which} "${v.slice(0, 40)}" is a date, not Unix seconds; read as a date`);
    return Math.trunc(parsed / 1000);
  }
  warn(`date_range ${which} "${v.slice(0, 40)}" is not a time; taken as 0`);
  return 0;
}

function finishRecord(
  d: RecordDraft,
  index: number,
  warn: (m: string, key?: string) => void,
): ReportRecord | undefined {
  const f = d.fields;
  const rawIp = f.source_ip?.trim() ?? '';
  let sourceIp: string;
  try {
    sourceIp = ipaddr.process(rawIp).toString();
  } catch {
    warn(`record ${index}: source_ip "${rawIp.slice(0, 60)}" is not an IP address; record skipped`);
    return undefined;
  }
  let count = 1;
  const rawCount = f.count?.trim();
  if (rawCount === undefined || rawCount === '') {
    warn(`record ${index}: no <count>; taken as 1`, 'no-count');
  } else {
    const n = Number(rawCount);
    if (!Number.isInteger(n) || n < 0) {
      warn(
        `record ${index}: count "${rawCount.slice(0, 20)}" is not a whole number; record skipped`,
      );
      return undefined;
    }
    count = n;
  }
  const disposition = lower(f.pe_disposition) ?? 'none';
  if (!f.pe_disposition?.trim()) warn(`record ${index}: no disposition; taken as none`, 'no-disp');
  const cased = [f.pe_disposition, f.pe_dkim, f.pe_spf].some(
    (v) => v !== undefined && v.trim() !== v.trim().toLowerCase(),
  );
  if (cased) warn('policy results in capitals (e.g. "Pass") read case-insensitively', 'caps');
  const dkimResults: DkimAuthResult[] = [];
  for (const r of d.dkim) {
    const domain = lower(r.domain);
    if (!domain) continue;
    dkimResults.push({
      domain,
      selector: text(r.selector),
      result: lower(r.result) ?? 'none',
      humanResult: text(r.human_result),
    });
  }
  const spfResults: SpfAuthResult[] = [];
  for (const r of d.spf) {
    const domain = lower(r.domain) ?? '';
    spfResults.push({
      domain,
      scope: lower(r.scope),
      result: lower(r.result) ?? 'none',
      humanResult: text(r.human_result),
    });
  }
  const reasons = d.reasons
    .map((r) => ({ type: lower(r.type) ?? '', comment: text(r.comment) }))
    .filter((r) => r.type !== '' || r.comment !== null);
  return {
    sourceIp,
    count,
    disposition,
    dkim: lower(f.pe_dkim),
    spf: lower(f.pe_spf),
    reasons,
    headerFrom: lower(f.header_from),
    envelopeFrom: lower(f.envelope_from),
    envelopeTo: lower(f.envelope_to),
    dkimResults,
    spfResults,
  };
}

/** Collects a whole report in memory (small reports, the CLI's JSON, tests). */
export async function parseReportXml(
  input: AsyncIterable<Uint8Array | string> | Uint8Array | string,
  options: Omit<StreamReportOptions, 'onRecord'> = {},
): Promise<AggregateReport> {
  const records: ReportRecord[] = [];
  const source = typeof input === 'string' || input instanceof Uint8Array ? oneChunk(input) : input;
  const result = await streamReportXml(source, {
    ...options,
    onRecord: (r) => void records.push(r),
  });
  return { ...result.header, records, warnings: result.warnings };
}

async function* oneChunk<T>(value: T): AsyncIterable<T> {
  yield value;
}
