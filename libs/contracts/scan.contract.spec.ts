import { describe, expect, it } from 'vitest';
import { resolveScanners } from './scan.contract';

describe('resolveScanners', () => {
  it.each([
    [['mail'], ['dmarc', 'spf', 'dkim', 'mx', 'mta-sts', 'tls-rpt', 'bimi', 'smtp']],
    [['dns'], ['dns', 'dnssec', 'caa']],
    [
      ['mail', 'dns'],
      ['dns', 'dmarc', 'spf', 'dkim', 'mx', 'mta-sts', 'tls-rpt', 'bimi', 'dnssec', 'caa', 'smtp'],
    ],
    [['dns-inventory'], ['dns']],
    [
      ['spf', 'spf', 'dmarc'],
      ['dmarc', 'spf'],
    ],
  ])('%j → %j', (names, scanners) => {
    expect(resolveScanners(names)).toEqual(scanners);
  });

  it('names what it does not know, and what it does', () => {
    expect(() => resolveScanners(['spf', 'nmap'])).toThrow(
      /unknown scanner\(s\): nmap; known: dns, mail, dns-inventory, dmarc/,
    );
  });
});
