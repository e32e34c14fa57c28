import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults for the embedded stack', () => {
    const sut = loadConfig({});
    expect(sut.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(sut.worker.taskQueues).toEqual([
      'perimeter-domain-scans',
      'perimeter-surface',
      'perimeter-dmarc-reports',
    ]);
    expect(sut.scanners).toMatchObject({ resolvers: [], allowPrivateTargets: false });
  });

  it('reads resolver lists and booleans', () => {
    const sut = loadConfig({
      SCANNER_RESOLVERS: '127.0.0.1:15353, [::1]:53,9.9.9.9',
      ALLOW_PRIVATE_TARGETS: 'true',
      WORKER_TASK_QUEUES: 'a, b',
    });
    expect(sut.scanners.resolvers).toEqual(['127.0.0.1:15353', '[::1]:53', '9.9.9.9']);
    expect(sut.scanners.allowPrivateTargets).toBe(true);
    expect(sut.worker.taskQueues).toEqual(['a', 'b']);
  });

  it('lists every problem at once, by variable name', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: '70000', ALLOW_PRIVATE_TARGETS: 'maybe', DATABASE_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('API_PORT');
    expect(message).toContain('ALLOW_PRIVATE_TARGETS');
    expect(message).toContain('DATABASE_URL');
  });

  it('reads the web scanner settings: timeout (default 5 s) and the lab HTTP port', () => {
    expect(loadConfig({}).scanners).toMatchObject({ webTimeoutMs: 5000, httpPort: undefined });
    expect(
      loadConfig({ SCANNER_WEB_TIMEOUT_MS: '1500', SCANNER_HTTP_PORT: '18080' }).scanners,
    ).toMatchObject({ webTimeoutMs: 1500, httpPort: 18080 });
    expect(() => loadConfig({ SCANNER_WEB_TIMEOUT_MS: '0' })).toThrow(/SCANNER_WEB_TIMEOUT_MS/);
    expect(() => loadConfig({ SCANNER_HTTP_PORT: '80000' })).toThrow(/SCANNER_HTTP_PORT/);
  });

  it('rejects a resolver entry that is not host[:port]', () => {
    expect(() => loadConfig({ SCANNER_RESOLVERS: 'http://8.8.8.8/' })).toThrow(/SCANNER_RESOLVERS/);
  });
});
