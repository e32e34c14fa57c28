import type { LabCa } from './lab-ca';
import type { LabHttpsSite } from './https-server';

const WELL_KNOWN = '/.well-known/mta-sts.txt';

function policy(lines: string[]): LabHttpsSite['files'] {
  return { [WELL_KNOWN]: { contentType: 'text/plain', body: `${lines.join('\r\n')}\r\n` } };
}

/** A small SVG Tiny PS logo, as BIMI wants it. */
export const LAB_BIMI_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <title>Perimeter lab</title>
  <rect width="64" height="64" fill="#1a4d8f"/>
  <circle cx="32" cy="32" r="20" fill="#ffffff"/>
</svg>
`;

/** Everything SVG Tiny PS forbids, in one file. */
const BAD_SVG = `<svg xmlns="http://www.w3.org/2000/svg" x="0" y="0" viewBox="0 0 64 64">
  <script>alert(1)</script>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
</svg>
`;

/**
 * The lab's HTTPS sites, by hostname. Every host here resolves to 127.0.0.1 in its zone file; the
 * lab HTTPS server listens there on an ephemeral port that scanners get through `https.port`.
 */
export function labHttpsSites(ca: LabCa): Record<string, LabHttpsSite> {
  const mta = (domain: string) => `mta-sts.${domain}.perimeter.test`;
  const mx = (domain: string) => `mx: mail.${domain}.perimeter.test`;
  const vmc = ca.issue(['bimi-good.perimeter.test']).certPem;
  const badVmc = ca.issue(['someone-else.perimeter.test'], { expired: true }).certPem;
  const svg = { contentType: 'image/svg+xml', body: LAB_BIMI_SVG };
  const pem = (body: string) => ({ contentType: 'application/pem-certificate-chain', body });
  return {
    // MTA-STS policy hosts (lab/zones/mtasts-*.perimeter.test.zone).
    [mta('mtasts-good')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-good'),
        'mx: *.backup.mtasts-good.perimeter.test',
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-testing')]: {
      files: policy(['version: STSv1', 'mode: testing', mx('mtasts-testing'), 'max_age: 604800']),
    },
    [mta('mtasts-mx-mismatch')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        'mx: *.mail-provider.perimeter.test',
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-no-policy')]: { files: {} },
    [mta('mtasts-bad-policy')]: {
      files: policy(['version: STSv2', 'mode: strict', 'mx: mail.*.perimeter.test', 'max_age: x']),
    },
    [mta('mtasts-expired-cert')]: {
      cert: 'expired',
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-expired-cert'),
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-short-max-age')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-short-max-age'),
        'max_age: 3600',
      ]),
    },
    [mta('mtasts-multiple-txt')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-multiple-txt'),
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-policy-only')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-policy-only'),
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-mode-none')]: {
      files: policy(['version: STSv1', 'mode: none', 'max_age: 86400']),
    },
    [mta('mtasts-bad-record')]: {
      files: policy([
        'version: STSv1',
        'mode: enforce',
        mx('mtasts-bad-record'),
        'max_age: 1209600',
      ]),
    },
    [mta('mtasts-timeout')]: { files: { [WELL_KNOWN]: { body: '', hang: true } } },

    // BIMI logos and mark certificates (lab/zones/bimi-*.perimeter.test.zone).
    'bimi.bimi-good.perimeter.test': {
      files: { '/brand/logo.svg': svg, '/brand/vmc.pem': pem(vmc) },
    },
    'bimi.bimi-no-authority.perimeter.test': { files: { '/logo.svg': svg } },
    'bimi.bimi-bad-files.perimeter.test': {
      files: {
        '/logo.svg': { contentType: 'text/html', body: BAD_SVG },
        '/vmc.pem': pem(badVmc),
      },
    },
    'bimi.bimi-broken-files.perimeter.test': {
      files: { '/vmc.pem': pem('this is not a certificate\n') },
    },
    'bimi.bimi-slow-files.perimeter.test': { files: { '/logo.svg': { ...svg, hang: true } } },
  };
}
