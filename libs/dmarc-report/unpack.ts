import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { simpleParser } from 'mailparser';
import yauzl from 'yauzl';
import { DmarcReportError } from './errors';

/** Where a report's bytes come from: a file on disk (streamed) or bytes in memory (uploads). */
export type ReportInput = { name: string; path: string } | { name: string; data: Buffer };

export interface UnpackLimits {
  /** Total bytes of XML one input may expand to (gzip and zip bombs stop here). */
  maxDecompressedBytes: number;
  /** Entries a zip may list; more is refused before anything is read. */
  maxZipEntries: number;
  /** Raw size of an e-mail (it is parsed in memory). */
  maxEmailBytes: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxDecompressedBytes: 256 * 1024 * 1024,
  maxZipEntries: 32,
  maxEmailBytes: 64 * 1024 * 1024,
};

/** One XML document inside an input: stream it fully before asking for the next. */
export interface XmlPart {
  /** `file.zip!report.xml`, `mail.eml!report.xml.gz`, … */
  name: string;
  stream: AsyncIterable<Buffer>;
}

export type InputFormat = 'xml' | 'gzip' | 'zip' | 'email';

/** Recognises the format from the first bytes, never from the file name. */
export function sniffFormat(head: Buffer): InputFormat | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) return 'zip';
  const start = head.toString('latin1', 0, Math.min(head.length, 512)).replace(/^\uFEFF|^ï»¿/, '');
  if (/^[\s\0]*(<|\xff\xfe<|\xfe\xff\0<)/.test(start) || head[0] === 0xff || head[0] === 0xfe)
    return 'xml';
  // RFC 5322 header fields: "Name: value" lines first.
  if (/^(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+/.test(start)) return 'email';
  return undefined;
}

class ByteBudget {
  used = 0;
  constructor(private readonly limit: number) {}
  take(n: number) {
    this.used += n;
    if (this.used > this.limit) {
      throw new DmarcReportError(
        'DECOMPRESSED_TOO_LARGE',
        `the input expands to more than ${this.limit} bytes; refused (decompression bomb?)`,
      );
    }
  }
}

async function* counted(source: AsyncIterable<Buffer>, budget: ByteBudget) {
  for await (const chunk of source) {
    budget.take(chunk.length);
    yield chunk;
  }
}

async function* gunzip(source: AsyncIterable<Buffer>, budget: ByteBudget): AsyncIterable<Buffer> {
  const inflater = createGunzip();
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (err) => inflater.destroy(err));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      budget.take(chunk.length);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof DmarcReportError) throw err;
    throw new DmarcReportError('CORRUPT_ARCHIVE', `gzip: ${(err as Error).message}`);
  } finally {
    input.destroy();
    inflater.destroy();
  }
}

async function readHead(input: ReportInput): Promise<Buffer> {
  if ('data' in input) return input.data.subarray(0, 512);
  const handle = await fs.open(input.path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function bytesOf(input: ReportInput): AsyncIterable<Buffer> {
  if ('data' in input) {
    const data = input.data;
    return (async function* () {
      for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
    })();
  }
  return createReadStream(input.path, { highWaterMark: 256 * 1024 });
}

async function readAll(input: ReportInput, limit: number): Promise<Buffer> {
  if ('data' in input) {
    if (input.data.length > limit)
      throw new DmarcReportError('DECOMPRESSED_TOO_LARGE', `e-mail over ${limit} bytes`);
    return input.data;
  }
  const { size } = await fs.stat(input.path);
  if (size > limit)
    throw new DmarcReportError('DECOMPRESSED_TOO_LARGE', `e-mail over ${limit} bytes`);
  return fs.readFile(input.path);
}

function openZip(input: ReportInput): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: yauzl.ZipFile) =>
      err || !zip
        ? reject(new DmarcReportError('CORRUPT_ARCHIVE', `zip: ${err?.message ?? 'unreadable'}`))
        : resolve(zip);
    if ('data' in input) yauzl.fromBuffer(input.data, { lazyEntries: true }, done);
    else yauzl.open(input.path, { lazyEntries: true }, done);
  });
}

async function* zipEntries(
  input: ReportInput,
  limits: UnpackLimits,
  budget: ByteBudget,
): AsyncGenerator<XmlPart> {
  const zip = await openZip(input);
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw new DmarcReportError(
        'TOO_MANY_ZIP_ENTRIES',
        `the zip lists ${zip.entryCount} entries (limit ${limits.maxZipEntries}); refused`,
      );
    }
    const next = () =>
      new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(undefined);
        };
        const onError = (err: Error) => {
          cleanup();
          reject(new DmarcReportError('CORRUPT_ARCHIVE', `zip: ${err.message}`));
        };
        const cleanup = () => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        };
        zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
        zip.readEntry();
      });
    for (let entry = await next(); entry; entry = await next()) {
      if (entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > limits.maxDecompressedBytes - budget.used) {
        throw new DmarcReportError(
          'DECOMPRESSED_TOO_LARGE',
          `zip entry ${entry.fileName.slice(0, 100)} declares ${entry.uncompressedSize} bytes (limit ${limits.maxDecompressedBytes}); refused`,
        );
      }
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) =>
          err || !s
            ? reject(new DmarcReportError('CORRUPT_ARCHIVE', `zip: ${err?.message ?? 'entry'}`))
            : resolve(s),
        ),
      );
      const name = `${input.name}!${entry.fileName}`;
      const raw = wrapErrors(stream);
      if (/\.gz$/i.test(entry.fileName)) yield { name, stream: gunzip(raw, budget) };
      else yield { name, stream: counted(raw, budget) };
      stream.destroy();
    }
  } finally {
    zip.close();
  }
}

async function* wrapErrors(stream: Readable): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    throw new DmarcReportError('CORRUPT_ARCHIVE', `zip: ${(err as Error).message}`);
  }
}

async function* emailParts(
  input: ReportInput,
  limits: UnpackLimits,
  budget: ByteBudget,
  depth: number,
): AsyncGenerator<XmlPart> {
  const raw = await readAll(input, limits.maxEmailBytes);
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextLinks: true });
  let found = 0;
  for (const [i, attachment] of mail.attachments.entries()) {
    const content = attachment.content;
    const format = sniffFormat(content.subarray(0, 512));
    if (format !== 'xml' && format !== 'gzip' && format !== 'zip') continue;
    found++;
    const name = `${input.name}!${attachment.filename ?? `attachment-${i + 1}`}`;
    yield* partsOf({ name, data: content }, limits, budget, depth + 1);
  }
  // Some reporters put the XML in the body itself.
  const body = mail.text?.trim();
  if (found === 0 && body && /^(<\?xml|<feedback[\s>])/.test(body)) {
    found++;
    const data = Buffer.from(body, 'utf8');
    budget.take(data.length);
    yield { name: `${input.name}!body`, stream: bytesOf({ name: 'body', data }) };
  }
  if (found === 0) {
    throw new DmarcReportError(
      'NO_REPORT_IN_EMAIL',
      `the e-mail${mail.subject ? ` "${mail.subject.slice(0, 100)}"` : ''} has no XML, gzip or zip attachment and no XML body`,
    );
  }
}

async function* partsOf(
  input: ReportInput,
  limits: UnpackLimits,
  budget: ByteBudget,
  depth: number,
): AsyncGenerator<XmlPart> {
  const format = sniffFormat(await readHead(input));
  if (format === 'gzip') yield { name: input.name, stream: gunzip(bytesOf(input), budget) };
  else if (format === 'zip') yield* zipEntries(input, limits, budget);
  else if (format === 'xml') yield { name: input.name, stream: counted(bytesOf(input), budget) };
  else if (format === 'email' && depth === 0) yield* emailParts(input, limits, budget, depth);
  else {
    throw new DmarcReportError(
      'UNSUPPORTED_FORMAT',
      `${input.name.slice(0, 200)}: not XML, gzip, zip or an e-mail`,
    );
  }
}

/**
 * The XML documents inside one input (.xml, .xml.gz, .zip, or an e-mail carrying any of them),
 * each streamed with one byte budget for the whole input.
 */
export function xmlParts(
  input: ReportInput,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): AsyncGenerator<XmlPart> {
  return partsOf(input, limits, new ByteBudget(limits.maxDecompressedBytes), 0);
}
