/**
 * Scanner results shaped as the checks store them, for the guidance specs: only the fields the
 * rules read are filled in. Each builder says which posture it stands for.
 */
import type { Finding } from '../../activities/common/check-report';
import { findingCatalogue } from '../../activities/posture-checks';
import { ScanFacts, type ScannerResult } from './scan-facts';

export function finding(id: string, message = `${id} on example.test`): Finding {
  return { id, severity: findingCatalogue[id]?.severity ?? 'info', message };
}

export function result(
  scanner: string,
  findingIds: string[],
  data: Record<string, unknown> | null = null,
  status: ScannerResult['status'] = 'completed',
): ScannerResult {
  return { scanner, status, findings: findingIds.map((id) => finding(id)), data };
}

export function dmarc(
  policy: 'none' | 'quarantine' | 'reject' | null,
  opts: { pct?: number; testing?: boolean; rua?: number; inherited?: boolean } = {},
): ScannerResult {
  const ids =
    policy === null
      ? ['dmarc.missing']
      : [
          `dmarc.policy-${policy}`,
          'dmarc.syntax-valid',
          ...(opts.rua === 0 ? ['dmarc.no-rua'] : ['dmarc.rua-present']),
        ];
  if (policy && opts.pct !== undefined && opts.pct < 100) ids.push('dmarc.pct-partial');
  return result('dmarc', ids, {
    ...(policy === null
      ? {}
      : {
          policy: {
            effectivePolicy: policy,
            testing: opts.testing ?? false,
            inherited: opts.inherited ?? false,
          },
          tags: {
            effective: {
              pct: opts.pct ?? 100,
              rua: Array.from({ length: opts.rua ?? 1 }, (_, i) => ({
                uri: `mailto:r${i}@x.test`,
              })),
            },
          },
        }),
  });
}

export function spf(
  record: string | null,
  opts: {
    all?: '+' | '-' | '~' | '?' | null;
    lookups?: number;
    valid?: boolean;
    extra?: string[];
  } = {},
): ScannerResult {
  if (record === null)
    return result('spf', ['spf.missing'], { records: [], lookupCount: 0, voidLookupCount: 0 });
  const all = opts.all === undefined ? '-' : opts.all;
  const valid = opts.valid ?? true;
  const ids = [...(valid ? ['spf.valid'] : []), ...(opts.extra ?? [])];
  if (all === '-') ids.push('spf.hard-fail');
  if (all === '~') ids.push('spf.soft-fail');
  return result('spf', ids, {
    record,
    lookupCount: opts.lookups ?? 1,
    voidLookupCount: 0,
    ...(all ? { all: { qualifier: all, domain: 'example.test', term: `${all}all` } } : {}),
  });
}

export function dkim(
  keys: Array<{ selector: string; bits?: number; type?: 'rsa' | 'ed25519' }>,
): ScannerResult {
  const ids: string[] = keys.map((k) =>
    k.type === 'ed25519'
      ? 'dkim.ed25519-key'
      : (k.bits ?? 2048) >= 2048
        ? 'dkim.rsa-key-2048'
        : (k.bits ?? 0) >= 1024
          ? 'dkim.rsa-key-1024'
          : 'dkim.rsa-key-too-short',
  );
  if (keys.length === 0) ids.push('dkim.no-selector-found');
  return result('dkim', ids, {
    selectors: keys.map((k) => ({
      selector: k.selector,
      usable: true,
      keyType: k.type ?? 'rsa',
      keyBits: k.type === 'ed25519' ? null : (k.bits ?? 2048),
    })),
  });
}

export const facts = (...results: ScannerResult[]) => new ScanFacts(results);
