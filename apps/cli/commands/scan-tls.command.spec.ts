import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { parseTarget, scanTlsCommand, type TlsCommandReport } from './scan-tls.command';
import { scanDomainCommand } from './scan.command';

let lab: Lab;
const saved = { ...process.env };

beforeAll(async () => {
  lab = await startLab();
  const caFile = path.join(tmpdir(), `perimeter-scan-tls-ca-${process.pid}.pem`);
  await writeFile(caFile, lab.https.caPem);
  Object.assign(process.env, {
    SCANNER_RESOLVERS: lab.resolvers.join(','),
    SCANNER_EXTRA_CA_FILES: caFile,
    SCANNER_TLS_PORT: String(lab.tls.port),
    SCANNER_SMTP_PORT: String(lab.smtp.port),
    SCANNER_TLS_TIMEOUT_MS: '3000',
  });
});
afterAll(async () => {
  process.env = saved;
  await lab?.close();
});

async function run(target: string, opts: Parameters<typeof scanTlsCommand>[1] = {}) {
  const lines: string[] = [];
  const code = await scanTlsCommand(target, { allowPrivate: true, ...opts }, (l) => lines.push(l));
  return { code, output: lines.join('\n') };
}

describe('perimeter scan tls', () => {
  it('a lab host, JSON: protocols, certificate and findings', async () => {
    const { code, output } = await run('tls-legacy.perimeter.test');
    expect(code).toBe(0);
    const report = JSON.parse(output) as TlsCommandReport;
    expect(report).toMatchObject({
      target: 'tls-legacy.perimeter.test',
      port: lab.tls.port,
      starttls: null,
      status: 'completed',
    });
    expect(report.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['tls.tls10-supported', 'tls.tls11-supported', 'certificate.valid']),
    );
  });

  it('an explicit port and SNI, table format', async () => {
    const { code, output } = await run(`127.0.5.7:${lab.tls.port}`, {
      sni: 'tls-wrong-host.perimeter.test',
      format: 'table',
    });
    expect(code).toBe(0);
    expect(output).toContain(`127.0.5.7:${lab.tls.port}`);
    expect(output).toContain('protocols ssl2:no ssl3:no tls1.0:no tls1.1:no tls1.2:yes tls1.3:yes');
    expect(output).toMatch(/FAIL {2}certificate\.hostname-mismatch/);
  });

  it('--starttls smtp: banner, STARTTLS, then TLS over the upgraded connection', async () => {
    const { code, output } = await run('mail.smtp-good.perimeter.test', { starttls: 'smtp' });
    expect(code).toBe(0);
    const report = JSON.parse(output) as TlsCommandReport;
    expect(report.smtp).toMatchObject({ starttls: true, banner: expect.stringContaining('ESMTP') });
    expect(report.tls?.handshake.completed).toBe(true);
    expect(report.findings.map((f) => f.id)).toContain('smtp-tls.certificate-valid');
  });

  it('bad input is a usage error (exit 2), and nothing is scanned', async () => {
    expect((await run('exa mple.com')).code).toBe(2);
    expect((await run('example.com:99999')).code).toBe(2);
    expect((await run('example.com', { starttls: 'imap' })).output).toContain('only smtp');
    expect((await run('example.com', { sni: 'bad..name' })).code).toBe(2);
  });

  it('a private address without --allow-private is refused (exit 1)', async () => {
    const { code, output } = await run('tls-modern.perimeter.test', { allowPrivate: false });
    expect(code).toBe(1);
    expect(output).toContain('target not allowed');
  });

  it('parses host[:port] and IPv6 forms', () => {
    expect(parseTarget('example.com')).toEqual({ host: 'example.com' });
    expect(parseTarget('example.com:8443')).toEqual({ host: 'example.com', port: 8443 });
    expect(parseTarget('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseTarget('2001:db8::1')).toEqual({ host: '2001:db8::1' });
  });
});

describe('perimeter scan domain --only tls,smtp', () => {
  it('runs the two transport scanners and nothing else', async () => {
    const lines: string[] = [];
    const code = await scanDomainCommand(
      'smtp-good.perimeter.test',
      { only: 'tls,smtp', allowPrivate: true, format: 'table' },
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    const output = lines.join('\n');
    expect(output).toMatch(/^tls$/m);
    expect(output).toMatch(/^smtp$/m);
    expect(output).not.toMatch(/^dmarc$/m);
    expect(output).toMatch(/PASS {2}smtp-tls\.starttls-everywhere/);
  });
});
