import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { DkimFindings } from './dkim.findings';
import {
  examineSelector,
  InvalidDkimSelector,
  scanDkim,
  selectorFindings,
  type DkimData,
} from './dkim.scanner';
import { KNOWN_DKIM_SELECTORS } from './dkim-selectors';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(domain: string, selectors?: string[]): Promise<CheckReport<DkimData>> {
  const report = await scanDkim(domain, ctx, { selectors });
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<DkimData>) => r.findings.map((f) => f.id).sort();

describe('scanDkim against the lab', () => {
  it('dkim-good: RSA 2048 at selector1 and Ed25519 at google', async () => {
    const r = await scan('dkim-good.perimeter.test');
    expect(r).toMatchObject({ check: 'dkim', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['dkim.ed25519-key', 'dkim.rsa-key-2048']);
    expect(r.data.selectors).toMatchObject([
      {
        selector: 'google',
        keyType: 'ed25519',
        keyBits: null,
        usable: true,
        provider: 'Google Workspace',
      },
      { selector: 'selector1', keyType: 'rsa', keyBits: 2048, usable: true, source: 'catalogue' },
    ]);
    expect(r.data.checkedSelectors).toHaveLength(KNOWN_DKIM_SELECTORS.length);
  });

  it('dkim-weak-1024: warning', async () => {
    const r = await scan('dkim-weak-1024.perimeter.test');
    expect(ids(r)).toEqual(['dkim.rsa-key-1024']);
    expect(r.findings[0]!.severity).toBe('warning');
    expect(r.data.selectors[0]).toMatchObject({ keyBits: 1024, usable: true });
  });

  it('dkim-weak-512: fail, and no usable key', async () => {
    const r = await scan('dkim-weak-512.perimeter.test');
    expect(ids(r)).toEqual(['dkim.no-usable-key', 'dkim.rsa-key-too-short']);
    expect(r.data.selectors[0]).toMatchObject({ selector: 'default', keyBits: 512, usable: false });
  });

  it('dkim-revoked: revoked key, no usable key', async () => {
    const r = await scan('dkim-revoked.perimeter.test');
    expect(ids(r)).toEqual(['dkim.key-revoked', 'dkim.no-usable-key']);
    expect(r.data.selectors[0]).toMatchObject({ revoked: true, valid: true, keyType: null });
  });

  it('dkim-testing: t=y', async () => {
    const r = await scan('dkim-testing.perimeter.test');
    expect(ids(r)).toEqual(['dkim.rsa-key-2048', 'dkim.testing-mode']);
    expect(r.data.selectors[0]).toMatchObject({ selector: 's1', testing: true });
  });

  it('dkim-invalid: undecodable key, v= out of place, duplicate tag', async () => {
    const r = await scan('dkim-invalid.perimeter.test');
    expect(ids(r)).toEqual([
      'dkim.invalid-key',
      'dkim.invalid-record',
      'dkim.invalid-record',
      'dkim.no-usable-key',
    ]);
    const bySelector = Object.fromEntries(r.data.selectors.map((s) => [s.selector, s]));
    expect(bySelector.selector1).toMatchObject({ valid: true, error: /cannot be decoded/ });
    expect(bySelector.selector2).toMatchObject({ valid: false, error: /first/ });
    expect(bySelector.k1).toMatchObject({ valid: false, error: /more than once/ });
  });

  it('dkim-duplicate: one key under two selectors', async () => {
    const r = await scan('dkim-duplicate.perimeter.test');
    expect(ids(r)).toEqual(['dkim.duplicate-key', 'dkim.rsa-key-2048', 'dkim.rsa-key-2048']);
    expect(r.findings.find((f) => f.id === 'dkim.duplicate-key')!.evidence).toEqual({
      selectors: ['s1', 's2'],
    });
  });

  it('dkim-none: no selector found, worded as not proven', async () => {
    const r = await scan('dkim-none.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(['dkim.no-selector-found']);
    expect(r.findings[0]!.message).toMatch(
      new RegExp(`^No DKIM key found among ${KNOWN_DKIM_SELECTORS.length} known selectors`),
    );
    expect(r.data.selectors).toEqual([]);
  });

  it('dkim-custom: found only at the selector given', async () => {
    expect(ids(await scan('dkim-custom.perimeter.test'))).toEqual(['dkim.no-selector-found']);
    const r = await scan('dkim-custom.perimeter.test', ['Perimeter2024']);
    expect(ids(r)).toEqual(['dkim.rsa-key-2048']);
    expect(r.data.selectors).toMatchObject([
      { selector: 'perimeter2024', source: 'given', provider: null, keyBits: 2048 },
    ]);
    expect(r.data.checkedSelectors[0]).toBe('perimeter2024');
    expect(r.data.checkedSelectors).toHaveLength(KNOWN_DKIM_SELECTORS.length + 1);
  });

  it('refuses a malformed selector', async () => {
    await expect(scanDkim('dkim-good.perimeter.test', ctx, { selectors: ['a b'] })).rejects.toThrow(
      InvalidDkimSelector,
    );
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanDkim('dkim-good.perimeter.test', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    // "No selector found" would rest on the unanswered questions: it is not said.
    expect(r.findings).toEqual([]);
    expect(r.data.selectors).toEqual([]);
    expect(r.undetermined).toHaveLength(KNOWN_DKIM_SELECTORS.length);
    expect(r.undetermined[0]).toEqual({
      name: 'google._domainkey.dkim-good.perimeter.test',
      type: 'TXT',
      code: expect.any(String),
    });
  });
});

describe('per-selector findings not in the lab', () => {
  const candidate = { selector: 'x', provider: null, source: 'given' as const };
  const judge = async (...records: string[]) => {
    const findings = selectorFindings(await examineSelector(candidate, 'x._domainkey.t', records));
    emitted.push(...findings);
    return findings.map((f) => f.id);
  };
  const key = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
  const k2048 = key(2048);

  it('4096-bit RSA passes', async () => {
    expect(await judge(`v=DKIM1; p=${key(4096)}`)).toEqual(['dkim.rsa-key-4096']);
  }, 30_000);

  it('h=sha1 only, s= not email, several records', async () => {
    expect(await judge(`v=DKIM1; h=sha1; p=${k2048}`)).toEqual([
      'dkim.rsa-key-2048',
      'dkim.sha1-only',
    ]);
    expect(await judge(`v=DKIM1; s=other; p=${k2048}`)).toEqual([
      'dkim.rsa-key-2048',
      'dkim.not-for-email',
    ]);
    expect(await judge(`v=DKIM1; p=${k2048}`, 'v=DKIM1; p=')).toEqual([
      'dkim.multiple-records',
      'dkim.rsa-key-2048',
    ]);
  });
});

describe('DKIM findings catalogue', () => {
  it('defines every finding it emits, and each definition is complete', () => {
    for (const [id, def] of Object.entries(DkimFindings)) {
      expect(def.id).toBe(id);
      expect(id).toMatch(/^dkim\.[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(def.title.length).toBeGreaterThan(0);
      expect(def.explanation.length).toBeGreaterThan(0);
      expect(def.references.length).toBeGreaterThan(0);
      if (def.severity === 'pass') expect(def.fix).toBeUndefined();
      else expect(def.fix?.length).toBeGreaterThan(0);
    }
  });

  it('every emitted id is catalogued with the same severity, and every catalogued id was emitted', () => {
    // Runs after the lab tests (vitest runs tests in order within a file).
    expect(emitted.filter((f) => DkimFindings[f.id]?.severity !== f.severity)).toEqual([]);
    const seen = new Set(emitted.map((f) => f.id));
    expect(Object.keys(DkimFindings).filter((id) => !seen.has(id))).toEqual([]);
  });
});
