import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { scanDomainCommand } from './scan.command';

let lab: Lab;
const saved = { ...process.env };

beforeAll(async () => {
  lab = await startLab();
  const caFile = path.join(tmpdir(), `perimeter-cli-web-ca-${process.pid}.pem`);
  await writeFile(caFile, lab.https.caPem);
  // The CLI reads its configuration from the environment, as a user would set it.
  Object.assign(process.env, {
    SCANNER_RESOLVERS: lab.resolvers.join(','),
    SCANNER_EXTRA_CA_FILES: caFile,
    SCANNER_HTTPS_PORT: String(lab.https.port),
    SCANNER_HTTP_PORT: String(lab.http.port),
    SCANNER_EXTRA_PUBLIC_SUFFIXES: 'perimeter.test',
    ALLOW_PRIVATE_TARGETS: 'true',
  });
});
afterAll(async () => {
  process.env = saved;
  await lab?.close();
});

describe('perimeter scan domain --only web', () => {
  it('prints the web findings and each endpoint’s redirect chain', async () => {
    const lines: string[] = [];
    const code = await scanDomainCommand(
      'web-modern.perimeter.test',
      { only: 'web', format: 'table' },
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/PASS {2}web\.https-enforced +Every HTTP endpoint/);
    expect(text).toMatch(/PASS {2}hsts\.preload-ready/);
    expect(text).toContain(
      'http://www.web-modern.perimeter.test/    301 → https://www.web-modern.perimeter.test/ → 301 → https://web-modern.perimeter.test/ → 200',
    );
  });

  it('gives JSON with the certificate verdict of a bad endpoint', async () => {
    const lines: string[] = [];
    await scanDomainCommand('web-cert-wrong-host.perimeter.test', { only: 'web' }, (l) =>
      lines.push(l),
    );
    const report = JSON.parse(lines.join('\n'));
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0].findings.map((f: { id: string }) => f.id)).toContain(
      'web.certificate-bad-hostname',
    );
    expect(report.checks[0].data.endpoints.https.tls.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
