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

describe('the web scanner in domainScan', () => {
  let lab: Lab;
  let stack: TestStack;

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ lab });
    await stack.startWorker();
  }, 120_000); // the integration project's hooks otherwise get vitest's 10 s default
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

  it('runs as its own activity and stores its result and findings', async () => {
    const result = await scan('web-modern.perimeter.test', ['web']);
    expect(result.status).toBe('COMPLETED');
    await recordHistoryIfAsked(stack, result.workflowId);
    expect(result.progress).toEqual([{ scanner: 'web', state: 'DONE', resultStatus: 'COMPLETED' }]);
    expect(result.results).toHaveLength(1);
    const web = result.results[0];
    expect(web).toMatchObject({ scanner: 'web', status: 'COMPLETED' });
    const ids = web.findings.map((f: { id: string }) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'web.https-enforced',
        'hsts.valid',
        'hsts.preload-ready',
        'headers.valid',
      ]),
    );
    expect(web.findings.find((f: { id: string }) => f.id === 'web.https-enforced')).toMatchObject({
      severity: 'PASS',
      title: 'Web: HTTPS strictly enforced',
      fix: null,
    });

    const history = await stack.client.workflow.getHandle(result.workflowId).fetchHistory();
    const activityTypes = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activityTypes).toContain('checkWeb');

    // The stored row holds the whole report: endpoints, chains, certificates.
    const [row] = await stack.db.dataSource.query(
      `SELECT status, data FROM scan_result WHERE scan_id = $1 AND scanner = 'web'`,
      [result.id],
    );
    expect(row.status).toBe('completed');
    expect(row.data.data.endpoints.httpWww.chain).toHaveLength(3);
    expect(row.data.data.endpoints.https.tls.authorized).toBe(true);
  });

  it('stores failing findings with their fix', async () => {
    const result = await scan('web-no-redirect.perimeter.test', ['web']);
    const finding = result.results[0].findings.find(
      (f: { id: string }) => f.id === 'web.https-not-enforced',
    );
    expect(finding).toMatchObject({
      severity: 'FAIL',
      message: expect.stringContaining(
        'http://web-no-redirect.perimeter.test/ answers 200 over HTTP',
      ),
      fix: expect.stringContaining('301'),
    });
  });

  it('records a site that never answers as unknown, not as a failure', async () => {
    const result = await scan('web-timeout.perimeter.test', ['web']);
    expect(result.status).toBe('COMPLETED');
    expect(result.results[0]).toMatchObject({ scanner: 'web', status: 'UNKNOWN', findings: [] });
  });
});
