import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const REQUEST = `mutation($o: ID!, $d: String!, $s: [String!], $k: [String!]) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: $s, dkimSelectors: $k) { id workflowId }
}`;
const RESULTS = `query($id: ID!) {
  scan(id: $id) {
    status
    progress { scanner state resultStatus }
    results { scanner status findings { id severity title message fix } }
  }
}`;

describe('mail and DNS posture checks in domainScan', () => {
  let lab: Lab;
  let stack: TestStack;

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ lab });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  async function scan(domain: string, scanners?: string[], dkimSelectors?: string[]) {
    const requested = await stack.graphql<{
      requestDomainScan: { id: string; workflowId: string };
    }>(REQUEST, { o: stack.organisationId, d: domain, s: scanners, k: dkimSelectors });
    expect(requested.errors).toBeUndefined();
    const { id, workflowId } = requested.data!.requestDomainScan;
    await waitForScan(stack, id, undefined, 90_000);
    const { data } = await stack.graphql<{ scan: any }>(RESULTS, { id });
    return { ...data!.scan, workflowId };
  }

  const ids = (result: { findings: Array<{ id: string }> }) => result.findings.map((f) => f.id);

  it('runs every check as its own activity with its own result row', async () => {
    const result = await scan('dmarc-good.perimeter.test');
    expect(result.status).toBe('COMPLETED');
    await recordHistoryIfAsked(stack, result.workflowId);
    const scanners = result.results.map((r: { scanner: string }) => r.scanner).sort();
    expect(scanners).toEqual([
      'bimi',
      'caa',
      'dkim',
      'dmarc',
      'dns',
      'dnssec',
      'mta-sts',
      'mx',
      'smtp',
      'spf',
      'tls',
      'tls-rpt',
      'web',
    ]);
    expect(result.progress.every((p: { state: string }) => p.state === 'DONE')).toBe(true);

    const history = await stack.client.workflow.getHandle(result.workflowId).fetchHistory();
    const activityTypes = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activityTypes).toEqual(
      expect.arrayContaining([
        'dnsInventory',
        'checkDmarc',
        'checkSpf',
        'checkDkim',
        'checkMx',
        'checkMtaSts',
        'checkTlsRpt',
        'checkBimi',
        'checkDnssec',
        'checkCaa',
        'checkWeb',
        'checkTls',
        'checkSmtp',
      ]),
    );

    const dmarc = result.results.find((r: { scanner: string }) => r.scanner === 'dmarc');
    expect(ids(dmarc)).toContain('dmarc.policy-reject');
    const finding = dmarc.findings.find((f: { id: string }) => f.id === 'dmarc.policy-reject');
    expect(finding).toMatchObject({
      severity: 'PASS',
      title: expect.any(String),
      message: expect.any(String),
    });
  });

  it('scans only the chosen scanners and groups', async () => {
    const result = await scan('spf-eleven-lookups.perimeter.test', ['spf', 'dns']);
    expect(result.results.map((r: { scanner: string }) => r.scanner).sort()).toEqual([
      'caa',
      'dns',
      'dnssec',
      'spf',
    ]);
    const spf = result.results.find((r: { scanner: string }) => r.scanner === 'spf');
    expect(ids(spf)).toContain('spf.too-many-lookups');
    const tooMany = spf.findings.find((f: { id: string }) => f.id === 'spf.too-many-lookups');
    expect(tooMany).toMatchObject({ severity: 'FAIL', fix: expect.any(String) });

    const mail = await scan('mx-null.perimeter.test', ['mail']);
    expect(mail.results.map((r: { scanner: string }) => r.scanner).sort()).toEqual([
      'bimi',
      'dkim',
      'dmarc',
      'mta-sts',
      'mx',
      'smtp',
      'spf',
      'tls-rpt',
    ]);
  });

  it('remembers DKIM selectors given with a request for later scans', async () => {
    const first = await scan('dkim-custom.perimeter.test', ['dkim']);
    const before = first.results[0];
    const second = await scan('dkim-custom.perimeter.test', ['dkim'], ['perimeter2024']);
    const third = await scan('dkim-custom.perimeter.test', ['dkim']);
    expect(ids(second.results[0])).toEqual(ids(third.results[0]));
    expect(ids(second.results[0])).not.toEqual(ids(before));
  });

  it('fetches MTA-STS policies and BIMI files over HTTPS from the lab, trusting its CA', async () => {
    const mtaSts = await scan('mtasts-good.perimeter.test', ['mta-sts']);
    expect(ids(mtaSts.results[0])).toContain('mta-sts.valid');
    const mismatch = await scan('mtasts-mx-mismatch.perimeter.test', ['mta-sts']);
    expect(ids(mismatch.results[0])).toContain('mta-sts.mx-not-covered');
    const bimi = await scan('bimi-good.perimeter.test', ['bimi']);
    expect(ids(bimi.results[0])).toEqual(
      expect.arrayContaining(['bimi.svg-valid', 'bimi.certificate-valid']),
    );
  });

  it('notices when the MTA-STS policy id changed since the previous scan', async () => {
    const first = await scan('mtasts-testing.perimeter.test', ['mta-sts']);
    expect(ids(first.results[0])).not.toContain('mta-sts.id-changed');
    const again = await scan('mtasts-testing.perimeter.test', ['mta-sts']);
    expect(ids(again.results[0])).not.toContain('mta-sts.id-changed');
    // The lab is static: the stored result of the previous scan stands in for an older policy.
    await stack.db.dataSource.query(
      `UPDATE scan_result SET data = jsonb_set(data, '{data,id}', '"2020old"')
       WHERE scanner = 'mta-sts' AND scan_id IN (SELECT id FROM scan WHERE target = 'mtasts-testing.perimeter.test')`,
    );
    const changed = await scan('mtasts-testing.perimeter.test', ['mta-sts']);
    const finding = changed.results[0].findings.find(
      (f: { id: string }) => f.id === 'mta-sts.id-changed',
    );
    expect(finding).toMatchObject({
      severity: 'INFO',
      message: expect.stringContaining('"2020old"'),
    });
  });

  it('refuses unknown scanners and malformed selectors', async () => {
    const bad = await stack.graphql(REQUEST, {
      o: stack.organisationId,
      d: 'good.perimeter.test',
      s: ['nmap'],
    });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const selector = await stack.graphql(REQUEST, {
      o: stack.organisationId,
      d: 'good.perimeter.test',
      k: ['a b'],
    });
    expect(selector.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
