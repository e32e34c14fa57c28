import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ScanKindAttribute,
  ScanTargetAttribute,
  OrganisationAttribute,
} from '../../../libs/contracts';
import { startLab, type Lab } from '../../../lab/lab';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const REQUEST = `mutation($organisationId: ID!, $domain: String!, $scanners: [String!] = ["dns-inventory"]) {
  requestDomainScan(organisationId: $organisationId, domain: $domain, scanners: $scanners) {
    id kind target status workflowId requestedAt
  }
}`;
const SCAN = `query($id: ID!) {
  scan(id: $id) {
    id status target requestedAt startedAt finishedAt error
    progress { scanner state resultStatus }
    results { scanner status attempt data error }
  }
}`;

describe('requestDomainScan → domainScan → scan(id), over HTTP', () => {
  let lab: Lab;
  let stack: TestStack;

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ env: { SCANNER_RESOLVERS: lab.resolvers.join(',') } });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  it('scans a lab domain to completion and returns its DNS inventory', async () => {
    const requested = await stack.graphql<{ requestDomainScan: Record<string, string> }>(REQUEST, {
      organisationId: stack.organisationId,
      domain: 'Good.Perimeter.Test.',
    });
    expect(requested.errors).toBeUndefined();
    const scan = requested.data!.requestDomainScan;
    expect(scan).toMatchObject({ kind: 'DOMAIN', target: 'good.perimeter.test', status: 'QUEUED' });
    expect(scan.workflowId).toBe(`domain-scan:${scan.id}`);

    await waitForScan(stack, scan.id);
    const { data } = await stack.graphql<{ scan: any }>(SCAN, { id: scan.id });
    const done = data!.scan;
    expect(done).toMatchObject({ status: 'COMPLETED', error: null });
    expect(new Date(done.finishedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(done.startedAt).getTime(),
    );
    expect(done.progress).toEqual([{ scanner: 'dns', state: 'DONE', resultStatus: 'COMPLETED' }]);
    expect(done.results).toHaveLength(1);
    const dns = done.results[0];
    expect(dns).toMatchObject({ scanner: 'dns', status: 'COMPLETED', attempt: 1, error: null });
    expect(dns.data.exists).toBe(true);
    expect(dns.data.resolvers).toEqual(lab.resolvers);
    expect(dns.data.records.A.records.map((r: { address: string }) => r.address)).toEqual([
      '127.0.10.1',
    ]);
    expect(dns.data.records.MX.records).toEqual([
      { exchange: 'mail.good.perimeter.test', priority: 10 },
    ]);
    expect(dns.data.records.TXT.records.map((r: { value: string }) => r.value)).toContain(
      'v=spf1 mx -all',
    );
    expect(dns.data.records.CAA.records).toEqual([
      { critical: 0, tag: 'issue', value: 'letsencrypt.org' },
    ]);
    expect(dns.data.records.SOA.status).toBe('ok');
    expect(dns.data.records.NS.records).toHaveLength(2);
  });

  it('records a domain without mail records as findings, not errors', async () => {
    const { data } = await stack.graphql<{ requestDomainScan: { id: string } }>(REQUEST, {
      organisationId: stack.organisationId,
      domain: 'nomail.perimeter.test',
    });
    await waitForScan(stack, data!.requestDomainScan.id);
    const res = await stack.graphql<{ scan: any }>(SCAN, { id: data!.requestDomainScan.id });
    const records = res.data!.scan.results[0].data.records;
    expect(res.data!.scan.status).toBe('COMPLETED');
    expect(records.MX).toEqual({ status: 'nodata', records: [] });
    expect(records.TXT).toEqual({ status: 'nodata', records: [] });
  });

  it('records a name that does not exist as NXDOMAIN', async () => {
    const { data } = await stack.graphql<{ requestDomainScan: { id: string } }>(REQUEST, {
      organisationId: stack.organisationId,
      domain: 'missing.good.perimeter.test',
    });
    await waitForScan(stack, data!.requestDomainScan.id);
    const res = await stack.graphql<{ scan: any }>(SCAN, { id: data!.requestDomainScan.id });
    const result = res.data!.scan.results[0].data;
    expect(result.exists).toBe(false);
    expect(result.records.A.status).toBe('nxdomain');
    expect(result.reachability.verdict).toBe('unresolvable');
  });

  it('finds the scan in Temporal by its search attributes and memo', async () => {
    const { data } = await stack.graphql<{ requestDomainScan: { id: string; workflowId: string } }>(
      REQUEST,
      { organisationId: stack.organisationId, domain: 'bücher.good.perimeter.test' },
    );
    const { id, workflowId } = data!.requestDomainScan;
    await waitForScan(stack, id);
    const description = await stack.client.workflow.getHandle(workflowId).describe();
    expect(description.type).toBe('domainScan');
    expect(description.typedSearchAttributes.get(ScanKindAttribute)).toBe('domain');
    expect(description.typedSearchAttributes.get(ScanTargetAttribute)).toBe(
      'xn--bcher-kva.good.perimeter.test',
    );
    expect(description.typedSearchAttributes.get(OrganisationAttribute)).toMatch(/^org-/);
    expect(description.memo).toMatchObject({ target: 'bücher.good.perimeter.test' });

    // What a user types into the Temporal UI's filter box.
    const found = [];
    for await (const wf of stack.client.workflow.list({
      query: `PerimeterTarget = 'xn--bcher-kva.good.perimeter.test' AND PerimeterScanKind = 'domain'`,
    })) {
      found.push(wf.workflowId);
    }
    expect(found).toContain(workflowId);
  });

  it.each([
    ['', 'empty'],
    ['localhost', 'single-label'],
    ['192.168.1.1', 'ip-literal'],
    ['[::1]', 'ip-literal'],
    ['https://example.com/', 'not-a-hostname'],
    [`${'a'.repeat(64)}.example`, 'label-too-long'],
    ['-bad.example', 'hyphen-position'],
  ])('refuses %j with INVALID_DOMAIN_NAME (%s) and writes nothing', async (domain, reason) => {
    const before = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM scan`);
    const res = await stack.graphql(REQUEST, { organisationId: stack.organisationId, domain });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DOMAIN_NAME', reason });
    const after = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM scan`);
    expect(after).toEqual(before);
  });

  it('answers an unknown or malformed scan id with NOT_FOUND', async () => {
    const unknown = await stack.graphql(SCAN, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const malformed = await stack.graphql(SCAN, { id: "1' OR '1'='1" });
    expect(malformed.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
