import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../common/check-report';
import { withIdChange } from './mta-sts-history';
import type { MtaStsData } from './mta-sts.scanner';

const report = (id: string | null) =>
  ({
    check: 'mta-sts',
    domain: 'example.test',
    status: 'completed',
    findings: [],
    undetermined: [],
    data: { id } as MtaStsData,
  }) satisfies CheckReport<MtaStsData>;

describe('withIdChange', () => {
  it('reports a changed id with both values', () => {
    const sut = withIdChange(report('20261122'), '20260101');
    expect(sut.findings).toEqual([
      expect.objectContaining({
        id: 'mta-sts.id-changed',
        severity: 'info',
        evidence: { previousId: '20260101', id: '20261122' },
      }),
    ]);
  });

  it.each([
    ['same id', '20261122', '20261122'],
    ['no previous scan', '20261122', null],
    ['no record now', null, '20260101'],
  ])('says nothing for %s', (_, now, before) => {
    expect(withIdChange(report(now), before).findings).toEqual([]);
  });
});
