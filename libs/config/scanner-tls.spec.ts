import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { scannerTlsOptions } from './scanner-tls';

describe('scannerTlsOptions', () => {
  it('defaults: port 443 (left to the scanner), SMTP 25, 5 s, 5 handshakes at once, intermediate', () => {
    expect(scannerTlsOptions(loadConfig({}))).toEqual({
      smtpPort: 25,
      timeoutMs: 5000,
      concurrency: 5,
      profile: 'intermediate',
    });
  });

  it('reads the lab ports and the chosen profile', () => {
    const sut = scannerTlsOptions(
      loadConfig({
        SCANNER_TLS_PORT: '15443',
        SCANNER_SMTP_PORT: '2525',
        SCANNER_TLS_PROFILE: 'modern',
        SCANNER_TLS_TIMEOUT_MS: '800',
        SCANNER_TLS_CONCURRENCY: '2',
      }),
    );
    expect(sut).toEqual({
      port: 15443,
      smtpPort: 2525,
      timeoutMs: 800,
      concurrency: 2,
      profile: 'modern',
    });
  });

  it('refuses an unknown profile, a port out of range and a zero concurrency, naming each', () => {
    let error: unknown;
    try {
      loadConfig({
        SCANNER_TLS_PROFILE: 'paranoid',
        SCANNER_SMTP_PORT: '70000',
        SCANNER_TLS_CONCURRENCY: '0',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['SCANNER_TLS_PROFILE', 'SCANNER_SMTP_PORT', 'SCANNER_TLS_CONCURRENCY']) {
      expect((error as Error).message).toContain(name);
    }
  });
});
