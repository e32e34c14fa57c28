import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { DmarcReportError } from './errors';
import { generateReportXml, type GeneratedTotals } from './generate-report';
import { readReports, readReportsInMemory } from './read-reports';
import { DEFAULT_UNPACK_LIMITS } from './unpack';
import { parseReportXml, streamReportXml } from './xml-report.parser';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name));

function zipOf(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

function email(parts: { headers: string; body: string }): Buffer {
  return Buffer.from(
    `From: noreply-dmarc-support@google.com\r\nTo: dmarc@example.org\r\nSubject: Report domain: example.org\r\nMessage-ID: <r1@google.com>\r\nMIME-Version: 1.0\r\n${parts.headers}\r\n\r\n${parts.body}`,
  );
}

async function reject(p: Promise<unknown>): Promise<DmarcReportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DmarcReportError);
  return err as DmarcReportError;
}

describe('schemas', () => {
  it('reads RFC 7489 1.0: metadata, policy, every record field, several DKIM results', async () => {
    const r = await parseReportXml(fixture('rfc7489.xml'));
    expect(r.schema).toBe('rfc7489');
    expect(r.version).toBe('1.0');
    expect(r.metadata).toEqual({
      orgName: 'google.com',
      email: 'noreply-dmarc-support@google.com',
      extraContactInfo: 'https://support.google.com/a/answer/2466580',
      reportId: '11863358046316181342',
      begin: 1792540800,
      end: 1792627199,
      errors: [],
      generator: null,
    });
    expect(r.policy).toMatchObject({
      domain: 'example.org',
      adkim: 'r',
      aspf: 'r',
      p: 'quarantine',
      sp: 'reject',
      pct: 100,
      fo: '1',
    });
    expect(r.records).toHaveLength(2);
    expect(r.records[0].dkimResults.map((d) => `${d.domain}/${d.selector}/${d.result}`)).toEqual([
      'example.org/s1/pass',
      'esp.example.net/k2/pass',
    ]);
    expect(r.records[1]).toMatchObject({
      sourceIp: '2001:db8::25',
      count: 3,
      disposition: 'quarantine',
      dkim: 'fail',
      spf: 'fail',
      reasons: [{ type: 'forwarded', comment: 'looks forwarded' }],
      envelopeFrom: 'bounce.example.com',
      spfResults: [
        { domain: 'bounce.example.com', scope: null, result: 'softfail', humanResult: null },
      ],
    });
    expect(r.warnings).toEqual([]);
  });

  it('reads the older draft (no <version>, <identities>)', async () => {
    const r = await parseReportXml(fixture('draft.xml'));
    expect(r.schema).toBe('draft');
    expect(r.version).toBeNull();
    expect(r.records[0]).toMatchObject({ headerFrom: 'example.org', dkim: 'pass', spf: 'fail' });
    expect(r.warnings).toContain('<identities> read as <identifiers> (an old draft name)');
  });

  it.each(['rfc9990-namespaced.xml', 'rfc9990-plain.xml'])(
    'reads RFC 9990 (%s): np, testing, discovery_method, generator, human_result',
    async (name) => {
      const r = await parseReportXml(fixture(name));
      expect(r.schema).toBe('rfc9990');
      expect(r.namespaced).toBe(name === 'rfc9990-namespaced.xml');
      expect(r.metadata.generator).toBe('Receiver DMARC 3.2');
      expect(r.policy).toMatchObject({
        np: 'reject',
        testing: 'n',
        discoveryMethod: 'treewalk',
        pct: null,
      });
      expect(r.records[0]).toMatchObject({
        envelopeTo: 'receiver.example',
        reasons: [{ type: 'policy_test_mode', comment: null }],
        dkimResults: [{ humanResult: 'signature did not verify', selector: 'x' }],
        spfResults: [{ humanResult: 'not permitted', scope: 'mfrom' }],
      });
      expect(r.warnings).toEqual([]);
    },
  );
});

describe('what real reporters send', () => {
  it('recovers from bare "&", capitals, empty org name and reasons, begin = end, a bad IP', async () => {
    const r = await parseReportXml(fixture('quirks.xml'));
    expect(r.metadata.email).toBe('reports@at&t.example');
    expect(r.metadata.orgName).toBe('at&t.example');
    expect(r.metadata.reportId).toBe('quirk-42');
    expect(r.metadata.errors).toEqual(['some records could not be evaluated']);
    expect(r.policy.domain).toBe('example.org');
    expect(r.policy.p).toBe('none');
    expect(r.policy.pct).toBeNull();
    expect(r.records).toEqual([
      expect.objectContaining({
        sourceIp: '203.0.113.99',
        disposition: 'none',
        dkim: 'pass',
        spf: 'fail',
        reasons: [],
        spfResults: [expect.objectContaining({ result: 'softfail' })],
      }),
    ]);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        'unescaped "&" or "<" in text repaired',
        'empty <org_name>; the reporter is called "at&t.example"',
        'date_range begins and ends at the same second',
        'record 2: source_ip "not-an-ip" is not an IP address; record skipped',
        'policy results in capitals (e.g. "Pass") read case-insensitively',
        'pct "150" is not 0-100; ignored',
        'unknown element <policy_published/rua> ignored',
      ]),
    );
  });

  it('replaces invalid UTF-8, says so, and notes a report spanning several days', async () => {
    const r = await parseReportXml(fixture('invalid-utf8.xml'));
    expect(r.metadata.orgName).toBe('Caf\uFFFD Mail \uFFFD\uFFFD');
    expect(r.records).toHaveLength(1);
    expect(r.warnings).toContain(
      'invalid byte sequences for the declared encoding were replaced with U+FFFD',
    );
    expect(r.warnings).toContain('date_range spans 3 days');
  });

  it('decodes the encoding the XML declaration names', async () => {
    const r = await parseReportXml(fixture('latin1.xml'));
    expect(r.metadata.orgName).toBe('Café Mail');
    expect(r.warnings).toEqual([]);
  });

  it('keeps the records before a truncation and says one was lost', async () => {
    const r = await parseReportXml(fixture('truncated.xml'));
    expect(r.records).toHaveLength(1);
    expect(r.warnings).toContain('the document ends inside record 2; that record is lost');
  });

  it('identifies a report without <report_id> by reporter, domain and period', async () => {
    const xml = fixture('draft.xml')
      .toString()
      .replace(/<report_id>.*<\/report_id>/, '');
    const r = await parseReportXml(xml);
    expect(r.metadata.reportId).toBe('perimeter:Yahoo! Inc.:example.org:1354320000-1354406399');
  });

  it('parses a report split into one-byte chunks the same as whole', async () => {
    const whole = fixture('quirks.xml');
    const split = await parseReportXml(
      (async function* () {
        for (const b of whole) yield Buffer.from([b]);
      })(),
    );
    const once = await parseReportXml(whole);
    expect({ ...split, warnings: [...split.warnings].sort() }).toEqual({
      ...once,
      warnings: [...once.warnings].sort(),
    });
  });
});

describe('hostile and malformed XML', () => {
  it('refuses an external entity (XXE) with XML_DTD_REFUSED', async () => {
    const err = await reject(parseReportXml(fixture('xxe.xml')));
    expect(err.code).toBe('XML_DTD_REFUSED');
  });

  it('refuses "billion laughs" before expanding anything', async () => {
    const err = await reject(parseReportXml(fixture('billion-laughs.xml')));
    expect(err.code).toBe('XML_DTD_REFUSED');
  });

  it('calls a different XML document not a report', async () => {
    expect((await reject(parseReportXml(fixture('not-a-report.xml')))).code).toBe('NOT_A_REPORT');
    expect((await reject(parseReportXml('just text'))).code).toBe('NOT_A_REPORT');
  });

  it('gives up on garbage after the syntax-error budget', async () => {
    const garbage = `<feedback>${'<a b c d e f>'.repeat(500)}`;
    expect((await reject(parseReportXml(garbage))).code).toBe('XML_MALFORMED');
  });

  it('keeps an undefined entity as it is instead of expanding it', async () => {
    const xml = fixture('rfc7489.xml')
      .toString()
      .replace('google.com</org_name>', 'google&evil;.com</org_name>');
    const r = await parseReportXml(xml);
    expect(r.metadata.orgName).toBe('google&evil;.com');
    expect(r.warnings.some((w) => w.includes('undefined entity'))).toBe(true);
  });
});

describe('containers', () => {
  it('reads .xml.gz', async () => {
    const out = await readReportsInMemory({
      name: 'r.xml.gz',
      data: gzipSync(fixture('rfc7489.xml')),
    });
    expect(out.problems).toEqual([]);
    expect(out.reports.map((r) => r.metadata.reportId)).toEqual(['11863358046316181342']);
  });

  it('reads every entry of a .zip, gzipped entries too, and one bad entry stops nothing', async () => {
    const zip = await zipOf([
      ['a.xml', fixture('rfc7489.xml')],
      ['bad.xml', fixture('xxe.xml')],
      ['b.xml.gz', gzipSync(fixture('rfc9990-namespaced.xml'))],
    ]);
    const out = await readReportsInMemory({ name: 'r.zip', data: zip });
    expect(out.reports.map((r) => r.metadata.reportId)).toEqual([
      '11863358046316181342',
      'r9990-0001',
    ]);
    expect(out.problems).toEqual([
      expect.objectContaining({ part: 'r.zip!bad.xml', code: 'XML_DTD_REFUSED' }),
    ]);
  });

  it('reads a report attached to an e-mail (base64 gzip)', async () => {
    const gz = gzipSync(fixture('rfc7489.xml'))
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
    const mail = email({
      headers: 'Content-Type: multipart/mixed; boundary="b1"',
      body: `--b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate report.\r\n--b1\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename="google.com!example.org!1792540800!1792627199.xml.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${gz}\r\n--b1--\r\n`,
    });
    const out = await readReportsInMemory({ name: 'm.eml', data: mail });
    expect(out.problems).toEqual([]);
    expect(out.reports[0].metadata.orgName).toBe('google.com');
  });

  it('reads a zip that is the whole body of an e-mail', async () => {
    const zip = (await zipOf([['r.xml', fixture('draft.xml')]])).toString('base64');
    const mail = email({
      headers: 'Content-Type: application/zip; name="r.zip"\r\nContent-Transfer-Encoding: base64',
      body: zip,
    });
    const out = await readReportsInMemory({ name: 'm.eml', data: mail });
    expect(out.reports.map((r) => r.schema)).toEqual(['draft']);
  });

  it('reads XML that is the (quoted-printable) text body of an e-mail', async () => {
    const qp = fixture('rfc9990-plain.xml').toString().replace(/=/g, '=3D');
    const mail = email({
      headers:
        'Content-Type: text/xml; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable',
      body: qp,
    });
    const out = await readReportsInMemory({ name: 'm.eml', data: mail });
    expect(out.problems).toEqual([]);
    expect(out.reports[0].metadata.reportId).toBe('r9990-0002');
  });

  it('says when an e-mail carries no report', async () => {
    const mail = email({ headers: 'Content-Type: text/plain', body: 'hello' });
    const out = await readReportsInMemory({ name: 'm.eml', data: mail });
    expect(out.reports).toEqual([]);
    expect(out.problems[0]).toMatchObject({ code: 'NO_REPORT_IN_EMAIL' });
  });

  it('refuses what is none of the formats', async () => {
    const out = await readReportsInMemory({ name: 'x.bin', data: Buffer.from([0, 1, 2, 3, 4]) });
    expect(out.problems[0]).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });
});

describe('bombs', () => {
  const limits = { ...DEFAULT_UNPACK_LIMITS, maxDecompressedBytes: 1024 * 1024 };

  it('stops a gzip bomb at the decompressed-size limit', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const out = await readReports({ name: 'bomb.xml.gz', data: bomb }, { limits });
    expect(out.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE' });
  });

  it('stops a gzip bomb at the default limit (256 MiB) too', async () => {
    const bomb = gzipSync(Buffer.alloc(300 * 1024 * 1024, 0x20), { level: 1 });
    const before = process.memoryUsage().rss;
    const out = await readReports({ name: 'bomb.xml.gz', data: bomb });
    expect(out.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE' });
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
  }, 30_000);

  it('refuses a zip entry that declares more than the limit, before inflating it', async () => {
    const zip = await zipOf([['big.xml', Buffer.alloc(5 * 1024 * 1024, 0x20)]]);
    const out = await readReports({ name: 'bomb.zip', data: zip }, { limits });
    expect(out.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE' });
    expect(out.error?.message).toContain('declares');
  });

  it('refuses a zip with too many entries, before reading any', async () => {
    const entries: Array<[string, Buffer]> = [];
    for (let i = 0; i < 40; i++) entries.push([`r${i}.xml`, fixture('draft.xml')]);
    const out = await readReports({ name: 'many.zip', data: await zipOf(entries) });
    expect(out.error).toMatchObject({ code: 'TOO_MANY_ZIP_ENTRIES' });
    expect(out.parts).toEqual([]);
  });

  it('calls a broken zip corrupt', async () => {
    const zip = await zipOf([['a.xml', fixture('rfc7489.xml')]]);
    const out = await readReports({ name: 'broken.zip', data: zip.subarray(0, zip.length - 30) });
    expect(out.error).toMatchObject({ code: 'CORRUPT_ARCHIVE' });
  });
});

describe('size', () => {
  it('streams a large generated report (200,000 records) without collecting it', async () => {
    const totals: GeneratedTotals = { records: 0, messages: 0, dmarcPass: 0 };
    let seen = 0;
    let pass = 0;
    const result = await streamReportXml(
      generateReportXml({ reportId: 'big-1', domain: 'example.org', records: 200_000 }, totals),
      {
        onRecord: (r) => {
          seen++;
          if (r.dkim === 'pass' || r.spf === 'pass') pass += r.count;
        },
      },
    );
    expect(result.totals.recordCount).toBe(200_000);
    expect(seen).toBe(totals.records);
    expect(result.totals.messageCount).toBe(totals.messages);
    expect(pass).toBe(totals.dmarcPass);
    expect(result.totals.bytes).toBeGreaterThan(80 * 1024 * 1024);
    expect(result.warnings).toEqual([]);
  }, 60_000);

  it('refuses more records than asked for', async () => {
    const err = await reject(
      streamReportXml(generateReportXml({ reportId: 'x', domain: 'example.org', records: 50 }), {
        maxRecords: 10,
      }),
    );
    expect(err.code).toBe('TOO_MANY_RECORDS');
  });
});
