import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config';

describe('proof configuration', () => {
  it('defaults to FreeTSA, untrusted until its roots are given', () => {
    expect(loadConfig({}).proof).toEqual({
      tsas: [{ name: 'freetsa', url: 'https://freetsa.org/tsr', caFiles: [] }],
      timeoutMs: 10_000,
    });
    expect(loadConfig({ PROOF_TSA_CA_FILES: 'a.pem, b.pem' }).proof.tsas[0]!.caFiles).toEqual([
      'a.pem',
      'b.pem',
    ]);
  });

  it('takes several TSAs, each with its own roots, in order', () => {
    const tsas = [
      { name: 'lab', url: 'http://127.0.0.1:15318/tsr', caFiles: ['/tmp/lab.pem'] },
      { name: 'freetsa', url: 'https://freetsa.org/tsr', caFiles: ['/etc/freetsa.pem'] },
    ];
    expect(loadConfig({ PROOF_TSAS: JSON.stringify(tsas) }).proof.tsas).toEqual(tsas);
  });

  it('says what is wrong with PROOF_TSAS', () => {
    expect(() => loadConfig({ PROOF_TSAS: '[{' })).toThrow(/PROOF_TSAS: expected JSON/);
    expect(() =>
      loadConfig({ PROOF_TSAS: JSON.stringify([{ name: 'x', url: 'http://x/tsr', caFiles: [] }]) }),
    ).toThrow(/PROOF_TSAS\.0\.caFiles: each TSA needs its trust roots/);
    expect(() => loadConfig({ PROOF_TSAS: '[]' })).toThrow(ConfigError);
    expect(() => loadConfig({ PROOF_TSA_URL: 'not a url' })).toThrow(/PROOF_TSA_URL/);
  });
});
