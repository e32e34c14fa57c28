import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { MtaStsFindings } from './mta-sts.findings';
import {
  judgeMtaSts,
  mxPatternMatches,
  parseMtaStsPolicy,
  parseMtaStsRecord,
  scanMtaSts,
  type MtaStsData,
} from './mta-sts.scanner';

let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((_, c) => {
  ctx = c;
});

async function scan(name: string, c: CheckContext = ctx) {
  const report = await scanMtaSts(`${name}.perimeter.test`, c);
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<MtaStsData>) => r.findings.map((f) => f.id).sort();

describe('scanMtaSts against the lab', () => {
  it('mtasts-good: enforce, MX covered', async () => {
    const r = await scan('mtasts-good');
    expect(r).toMatchObject({ check: 'mta-sts', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['mta-sts.valid']);
    expect(r.data).toMatchObject({
      record: 'v=STSv1; id=20240601T000000;',
      id: '20240601T000000',
      policyFetched: true,
      policy: {
        mode: 'enforce',
        maxAge: 1209600,
        mx: ['mail.mtasts-good.perimeter.test', '*.backup.mtasts-good.perimeter.test'],
      },
      mx: [
        {
          exchange: 'mail.mtasts-good.perimeter.test',
          preference: 10,
          matchedPattern: 'mail.mtasts-good.perimeter.test',
        },
      ],
    });
  });

  it.each([
    ['mtasts-none', ['mta-sts.missing']],
    ['mtasts-testing', ['mta-sts.mode-testing']],
    ['mtasts-mx-mismatch', ['mta-sts.mx-not-covered']],
    ['mtasts-no-policy', ['mta-sts.policy-unreachable']],
    ['mtasts-bad-policy', ['mta-sts.policy-invalid']],
    ['mtasts-expired-cert', ['mta-sts.policy-unreachable']],
    ['mtasts-short-max-age', ['mta-sts.max-age-short']],
    ['mtasts-multiple-txt', ['mta-sts.multiple-records']],
    ['mtasts-policy-only', ['mta-sts.policy-without-record']],
    ['mtasts-mode-none', ['mta-sts.mode-none']],
    ['mtasts-bad-record', ['mta-sts.record-invalid']],
  ])('%s → %j', async (name, expected) => {
    const r = await scan(name);
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(expected);
  });

  it('says why the policy is unreachable', async () => {
    const notFound = await scan('mtasts-no-policy');
    expect(notFound.findings[0]!.message).toContain('policy unreachable: HTTP status 404');
    const expired = await scan('mtasts-expired-cert');
    expect(expired.findings[0]!.message).toMatch(/policy unreachable: tls: .*expired/i);
    const bad = await scan('mtasts-bad-policy');
    expect(bad.data.policyError).toContain("version 'STSv2' is not STSv1");
    expect(bad.data.policyError).toContain("mx pattern 'mail.*.perimeter.test'");
  });

  it('a policy fetch that times out is undetermined, not a finding', async () => {
    const r = await scan('mtasts-timeout', { ...ctx, https: { ...ctx.https, timeoutMs: 300 } });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toEqual([
      {
        name: 'https://mta-sts.mtasts-timeout.perimeter.test/.well-known/mta-sts.txt',
        type: 'HTTPS',
        code: 'ETIMEDOUT',
      },
    ]);
  });

  it('reports unknown when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scan('mtasts-good', { ...ctx, resolver: dead });
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined.map((u) => u.type)).toEqual(expect.arrayContaining(['TXT', 'MX']));
  });

  it('the target guard keeps the policy fetch off loopback unless allowed', async () => {
    const r = await scan('mtasts-good', { ...ctx, allowPrivateTargets: false });
    expect(ids(r)).toEqual(['mta-sts.policy-unreachable']);
    expect(r.findings[0]!.message).toContain('target-not-allowed');
  });
});

describe('MTA-STS parsing', () => {
  it('records', () => {
    expect(parseMtaStsRecord('v=STSv1; id=abc123;')).toEqual({ ok: true, id: 'abc123' });
    expect(parseMtaStsRecord('v=STSv1;id=abc; ext=1')).toEqual({ ok: true, id: 'abc' });
    expect(parseMtaStsRecord('v=STSv1;').ok).toBe(false);
    expect(parseMtaStsRecord('v=STSv1; id=a-b').ok).toBe(false);
    expect(parseMtaStsRecord(`v=STSv1; id=${'a'.repeat(33)}`).ok).toBe(false);
    expect(parseMtaStsRecord('id=abc; v=STSv1').ok).toBe(false);
  });

  it('policies', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n')).toEqual({
      ok: true,
      policy: { version: 'STSv1', mode: 'none', maxAge: 0, mx: [] },
    });
    expect(parseMtaStsPolicy('version: STSv1\nmode: enforce\nmax_age: 86400\n').ok).toBe(false);
    expect(
      parseMtaStsPolicy('version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601').ok,
    ).toBe(false);
    expect(parseMtaStsPolicy('version: STSv1\nmode: enforce\nmx: *.*.test\nmax_age: 1').ok).toBe(
      false,
    );
  });

  it('mx patterns: a wildcard is exactly one leftmost label', () => {
    expect(mxPatternMatches('mail.x.test', 'MAIL.x.test.')).toBe(true);
    expect(mxPatternMatches('*.x.test', 'mx1.x.test')).toBe(true);
    expect(mxPatternMatches('*.x.test', 'x.test')).toBe(false);
    expect(mxPatternMatches('*.x.test', 'a.b.x.test')).toBe(false);
  });

  it('judge: MX not covered in testing mode, redirect, wrong content type', () => {
    const policy = 'version: STSv1\nmode: testing\nmx: other.test\nmax_age: 604800\n';
    const base = {
      domain: 'x.test',
      txt: ['v=STSv1; id=1'],
      mx: [{ exchange: 'mx.x.test', preference: 10 }],
    };
    const judge = (fetch: Parameters<typeof judgeMtaSts>[0]['fetch']) => {
      const { findings, data } = judgeMtaSts({ ...base, fetch });
      emitted.push(...findings);
      return { ids: findings.map((f) => f.id).sort(), data };
    };
    expect(
      judge({ kind: 'ok', status: 200, contentType: 'text/plain; charset=utf-8', body: policy })
        .ids,
    ).toEqual(['mta-sts.mode-testing', 'mta-sts.mx-not-covered-testing']);
    expect(
      judge({ kind: 'ok', status: 301, contentType: 'text/plain', body: '' }).data.policyError,
    ).toContain('redirects are not followed');
    expect(judge({ kind: 'ok', status: 200, contentType: 'text/html', body: policy }).ids).toEqual([
      'mta-sts.policy-unreachable',
    ]);
  });
});

describeCatalogue('mta-sts', MtaStsFindings, emitted, {
  // Emitted by comparing two scans, not by one: covered in mta-sts-history.spec.ts.
  emittedElsewhere: ['mta-sts.id-changed'],
});
