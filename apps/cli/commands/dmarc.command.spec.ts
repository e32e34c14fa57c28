import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { dmarcParseCommand } from './dmarc.command';

const fixtures = path.join(__dirname, '../../../libs/dmarc-report/fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'dmarc-cli-'));
const gz = path.join(dir, 'google.xml.gz');
writeFileSync(gz, gzipSync(readFileSync(path.join(fixtures, 'rfc7489.xml'))));

async function run(files: string[], format: 'json' | 'csv') {
  let out = '';
  const errors: string[] = [];
  const code = await dmarcParseCommand(
    files,
    { format },
    (s) => void (out += s),
    (l) => void errors.push(l),
  );
  return { code, out, errors };
}

describe('perimeter dmarc parse', () => {
  it('prints every report of every file as JSON, and a bad file does not stop the others', async () => {
    const { code, out } = await run(
      [
        gz,
        path.join(fixtures, 'xxe.xml'),
        path.join(fixtures, 'quirks.xml'),
        path.join(dir, 'missing.xml'),
      ],
      'json',
    );
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as Array<Record<string, any>>;
    expect(parsed).toHaveLength(4);
    expect(parsed[0]).toMatchObject({
      source: gz,
      schema: 'rfc7489',
      metadata: { orgName: 'google.com', reportId: '11863358046316181342' },
      policy: { domain: 'example.org', p: 'quarantine' },
      warnings: [],
    });
    expect(parsed[0].records).toHaveLength(2);
    expect(parsed[1]).toMatchObject({ error: { code: 'XML_DTD_REFUSED' } });
    expect(parsed[2].records).toHaveLength(1);
    expect(parsed[2].warnings).toContain('date_range begins and ends at the same second');
    expect(parsed[3]).toMatchObject({ error: { code: 'UNREADABLE' } });
  });

  it('prints one CSV row per record, quoting and defusing spreadsheet formulas', async () => {
    const evil = path.join(dir, 'evil.xml');
    writeFileSync(
      evil,
      readFileSync(path.join(fixtures, 'draft.xml'), 'utf8').replace(
        'Yahoo! Inc.',
        '=HYPERLINK("x"), Inc',
      ),
    );
    const { code, out, errors } = await run([path.join(fixtures, 'rfc7489.xml'), evil], 'csv');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'source,reporter,report_id,begin,end,domain,policy,source_ip,count,disposition,dkim_aligned,spf_aligned,header_from,envelope_from,envelope_to,dkim_results,spf_results,reasons',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(
      ',2001:db8::25,3,quarantine,fail,fail,example.org,bounce.example.com,,,bounce.example.com=softfail,forwarded: looks forwarded',
    );
    expect(lines[1]).toContain(',2026-10-21T00:00:00.000Z,2026-10-21T23:59:59.000Z,');
    expect(lines[3]).toContain(`"'=HYPERLINK(""x""), Inc"`);
    expect(errors.some((e) => e.includes('<identities>'))).toBe(true);
  });

  it('reads zips and e-mails from disk (every entry; the attachment)', async () => {
    const zipFile = path.join(dir, 'two.zip');
    await new Promise<void>((resolve) => {
      const zip = new yazl.ZipFile();
      zip.addFile(path.join(fixtures, 'rfc7489.xml'), 'a.xml');
      zip.addFile(path.join(fixtures, 'rfc9990-plain.xml'), 'b.xml');
      zip.end();
      zip.outputStream.pipe(createWriteStream(zipFile)).on('close', resolve);
    });
    const eml = path.join(dir, 'report.eml');
    writeFileSync(
      eml,
      `From: a@receiver.example\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename="r.xml.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${readFileSync(gz).toString('base64')}\r\n--x--\r\n`,
    );
    const { code, out } = await run([zipFile, eml], 'json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as Array<Record<string, any>>;
    expect(parsed.map((p) => [p.part, p.metadata.reportId])).toEqual([
      ['two.zip!a.xml', '11863358046316181342'],
      ['two.zip!b.xml', 'r9990-0002'],
      ['report.eml!r.xml.gz', '11863358046316181342'],
    ]);
  });
});
