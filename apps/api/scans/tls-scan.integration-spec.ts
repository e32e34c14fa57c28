import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const REQUEST = `mutation($o: ID!, $d: String!, $s: [String!]) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: $s) { id workflowId }
}`;
const RESULTS = `query($id: ID!) {
  scan(id: $id) {
    status
    progress { scanner state resultStatus }
    results { scanner status findings { id severity title message fix } }
  }
}`;

describe('TLS and SMTP STARTTLS scanners in domainScan', () => {
  let lab: Lab;
  let stack: TestStack;

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ lab });
    await stack.startWorker();
  }, 120_000); // the worker bundles the workflows first: slow on a busy machine
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  async function scan(domain: string, scanners: string[]) {
    const requested = await stack.graphql<{
      requestDomainScan: { id: string; workflowId: string };
    }>(REQUEST, { o: stack.organisationId, d: domain, s: scanners });
    expect(requested.errors).toBeUndefined();
    const { id, workflowId } = requested.data!.requestDomainScan;
    await waitForScan(stack, id, undefined, 90_000);
    const { data } = await stack.graphql<{ scan: any }>(RESULTS, { id });
    return { ...data!.scan, id, workflowId };
  }

  const result = (scan: any, scanner: string) =>
    scan.results.find((r: { scanner: string }) => r.scanner === scanner);
  const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id).sort();

  it('tls and smtp run as their own activities and store their results with catalogued findings', async () => {
    const done = await scan('smtp-good.perimeter.test', ['tls', 'smtp']);
    expect(done.status).toBe('COMPLETED');
    await recordHistoryIfAsked(stack, done.workflowId);
    expect(done.results.map((r: { scanner: string }) => r.scanner).sort()).toEqual(['smtp', 'tls']);
    const smtp = result(done, 'smtp');
    expect(smtp.status).toBe('COMPLETED');
    expect(ids(smtp)).toContain('smtp-tls.starttls-everywhere');
    expect(
      smtp.findings.find((f: { id: string }) => f.id === 'smtp-tls.starttls-everywhere'),
    ).toMatchObject({
      severity: 'PASS',
      title: 'SMTP: every MX host offers STARTTLS and the TLS handshake works',
    });
    // smtp-good has no address of its own (nor www): no web endpoint, nothing to report.
    expect(result(done, 'tls')).toMatchObject({ status: 'COMPLETED', findings: [] });

    const history = await stack.client.workflow.getHandle(done.workflowId).fetchHistory();
    const activityTypes = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activityTypes).toEqual(expect.arrayContaining(['checkTls', 'checkSmtp']));

    // The stored row holds the whole report, protocol by protocol.
    const [row] = await stack.db.dataSource.query(
      `SELECT data FROM scan_result WHERE scan_id = $1 AND scanner = 'smtp'`,
      [done.id],
    );
    expect(row.data.data.hosts[0]).toMatchObject({
      host: 'mail.smtp-good.perimeter.test',
      starttls: true,
      tls: { protocols: { 'tls1.2': 'accepted', 'tls1.3': 'accepted', ssl3: 'refused' } },
    });
  });

  it('tls-modern: the contract pass findings, and no MX to check', async () => {
    const done = await scan('tls-modern.perimeter.test', ['tls', 'smtp']);
    expect(ids(result(done, 'tls'))).toEqual(
      expect.arrayContaining([
        'tls.protocols-modern',
        'certificate.valid',
        'tls.profile-compliant',
      ]),
    );
    expect(ids(result(done, 'smtp'))).toEqual(['smtp-tls.no-mx']);
  });

  it('a weak TLS posture and a missing STARTTLS are findings, not failures', async () => {
    const weak = await scan('tls-weak.perimeter.test', ['tls']);
    const tls = result(weak, 'tls');
    expect(tls.status).toBe('COMPLETED');
    expect(ids(tls)).toEqual(
      expect.arrayContaining([
        'tls.ssl2-supported',
        'tls.ssl3-supported',
        'tls.cipher-rc4',
        'tls.compression',
      ]),
    );
    expect(tls.findings.find((f: { id: string }) => f.id === 'tls.cipher-rc4')).toMatchObject({
      severity: 'FAIL',
      fix: expect.any(String),
    });

    const missing = await scan('smtp-missing.perimeter.test', ['smtp']);
    expect(ids(result(missing, 'smtp'))).toEqual(['smtp-tls.starttls-missing']);
  });
});
