import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startLab, type Lab } from '../../../lab/lab';
import { TaskQueues } from '../../../libs/contracts';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { createApiKey } from '../../../test/support/test-principals';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const fixtures = path.join(__dirname, '../../../libs/dmarc-report/fixtures');
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
const enrichFixtures = path.join(__dirname, '../../../activities/dmarc-reports/fixtures');

function zipOf(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('DMARC aggregate reports through the API', () => {
  let stack: TestStack;
  let lab: Lab;
  const ptrQueries: string[] = [];

  beforeAll(async () => {
    lab = await startLab({
      zonesDir: path.join(enrichFixtures, 'zones'),
      onDnsQuery: (q) => {
        if (q.type === 'PTR') ptrQueries.push(q.name);
      },
    });
    stack = await startTestStack({
      lab,
      env: {
        DMARC_UPLOAD_MAX_BYTES: String(256 * 1024),
        DMARC_MAX_DECOMPRESSED_BYTES: String(1024 * 1024),
        DMARC_IP_DATABASE: path.join(enrichFixtures, 'ip-database.csv'),
      },
    });
    await stack.startWorker(TaskQueues.dmarcReports);
  });
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  const url = (name: string) =>
    `${stack.graphqlUrl.replace(/\/graphql$/, '')}/organisations/${stack.organisationId}/dmarc-reports?name=${encodeURIComponent(name)}`;

  async function upload(name: string, body: Buffer, token: string | null = stack.token) {
    const res = await fetch(url(name), {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  async function ingested(id: string) {
    for (let i = 0; i < 200; i++) {
      const { data, errors } = await stack.graphql<{ dmarcReportUpload: Record<string, any> }>(
        `query($id: ID!) { dmarcReportUpload(id: $id) {
          status error workflowId source sourceRef
          parts { part reportId reporter reporterReportId domain duplicate recordCount warningCount error { code message } }
        } }`,
        { id },
      );
      if (errors) throw new Error(JSON.stringify(errors));
      if (data!.dmarcReportUpload.status !== 'PENDING') {
        // The workflow goes on to enrich the sources; wait for that too.
        await stack.client.workflow.getHandle(data!.dmarcReportUpload.workflowId).result();
        return data!.dmarcReportUpload;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('ingest never finished');
  }

  async function count(table: string): Promise<number> {
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM ${table}`,
    )) as [{ n: number }];
    return n;
  }

  let googleReportId: string;

  it('ingests an uploaded .xml.gz through the dmarcReportIngest workflow', async () => {
    const { status, body } = await upload('google.xml.gz', gzipSync(fixture('rfc7489.xml')));
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'pending', source: 'upload', sourceRef: 'google.xml.gz' });
    expect(body.workflowId).toBe(`dmarc-report-ingest:${body.id}`);
    const done = await ingested(body.id);
    expect(done.status).toBe('DONE');
    expect(done.parts).toEqual([
      expect.objectContaining({
        part: 'google.xml.gz',
        reporter: 'google.com',
        reporterReportId: '11863358046316181342',
        domain: 'example.org',
        duplicate: false,
        recordCount: 2,
        warningCount: 0,
      }),
    ]);
    googleReportId = done.parts[0].reportId;
    await recordHistoryIfAsked(stack, body.workflowId);
    const history = await stack.client.workflow.getHandle(body.workflowId).result();
    expect(history).toMatchObject({ stored: 1, duplicates: 0, failed: 0 });
  });

  it('stores the same report delivered again (now zipped, with others) only once', async () => {
    const zip = await zipOf([
      ['again.xml', fixture('rfc7489.xml')],
      ['quirks.xml', fixture('quirks.xml')],
      ['hostile.xml', fixture('xxe.xml')],
      ['receiver.xml.gz', gzipSync(fixture('rfc9990-namespaced.xml'))],
    ]);
    const { body } = await upload('batch.zip', zip);
    const done = await ingested(body.id);
    expect(done.parts).toEqual([
      expect.objectContaining({
        part: 'batch.zip!again.xml',
        duplicate: true,
        reportId: googleReportId,
      }),
      expect.objectContaining({ part: 'batch.zip!quirks.xml', duplicate: false, warningCount: 7 }),
      expect.objectContaining({
        part: 'batch.zip!hostile.xml',
        error: expect.objectContaining({ code: 'XML_DTD_REFUSED' }),
      }),
      expect.objectContaining({
        part: 'batch.zip!receiver.xml.gz',
        duplicate: false,
        recordCount: 1,
      }),
    ]);
    expect(await count('dmarc_report')).toBe(3);
    expect(await count('dmarc_report_record')).toBe(4);
  });

  it('refuses an oversized upload (413) and stores nothing', async () => {
    const before = await count('dmarc_report_upload');
    const { status, body } = await upload('big.xml', Buffer.alloc(300 * 1024, 0x20));
    expect(status).toBe(413);
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await count('dmarc_report_upload')).toBe(before);
  });

  it('records a gzip bomb (20 KB expanding past the 1 MiB limit) as refused, without a report', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const { body } = await upload('bomb.xml.gz', bomb);
    const done = await ingested(body.id);
    expect(done.status).toBe('DONE');
    expect(done.parts).toEqual([
      expect.objectContaining({
        part: 'bomb.xml.gz',
        error: expect.objectContaining({ code: 'DECOMPRESSED_TOO_LARGE' }),
      }),
    ]);
    expect(await count('dmarc_report')).toBe(3);
  });

  it('lets only operators upload', async () => {
    expect((await upload('x.xml', fixture('draft.xml'), null)).status).toBe(401);
    const viewer = await createApiKey(stack.db.dataSource, stack.organisationId, 'viewer');
    expect((await upload('x.xml', fixture('draft.xml'), viewer.token)).status).toBe(403);
  });

  it('summarises a domain over a period: volume by day, rates, dispositions, reporters', async () => {
    const { data, errors } = await stack.graphql<{ dmarcSummary: Record<string, any> }>(
      `query($o: ID!) { dmarcSummary(organisationId: $o, domain: "Example.org", from: "2026-10-20", to: "2026-10-23") {
        domain messageCount reportCount reporterCount sourceCount dmarcPassRate dkimAlignedRate spfAlignedRate
        dkimPassRate spfPassRate knownSenderRate
        dispositions { disposition messageCount } volumeByDay { day messageCount dmarcPassCount }
        reporters { reporter reportCount messageCount }
      } }`,
      { o: stack.organisationId },
    );
    expect(errors).toBeUndefined();
    // google: 12 pass/pass + 3 fail/fail; quirks: 4 dkim-only; receiver (next day): 5 fail/fail.
    expect(data!.dmarcSummary).toEqual({
      domain: 'example.org',
      messageCount: 24,
      reportCount: 3,
      reporterCount: 3,
      sourceCount: 4,
      dmarcPassRate: 16 / 24,
      dkimAlignedRate: 16 / 24,
      spfAlignedRate: 12 / 24,
      dkimPassRate: 16 / 24,
      spfPassRate: 12 / 24,
      // 203.0.113.10 (SendGrid, 12) and 192.0.2.44 (Google, 5) are known senders.
      knownSenderRate: 17 / 24,
      dispositions: [
        { disposition: 'none', messageCount: 16 },
        { disposition: 'reject', messageCount: 5 },
        { disposition: 'quarantine', messageCount: 3 },
      ],
      volumeByDay: [
        { day: '2026-10-21', messageCount: 19, dmarcPassCount: 16 },
        { day: '2026-10-22', messageCount: 5, dmarcPassCount: 0 },
      ],
      reporters: [
        { reporter: 'google.com', reportCount: 1, messageCount: 15 },
        { reporter: 'Mail Receiver Example', reportCount: 1, messageCount: 5 },
        { reporter: 'at&t.example', reportCount: 1, messageCount: 4 },
      ],
    });
  });

  const sources = (filter: string, extra = '') =>
    stack.graphql<{ dmarcSources: Record<string, any> }>(
      `query($o: ID!) { dmarcSources(organisationId: $o, domain: "example.org", from: "2026-10-20", to: "2026-10-23", filter: ${filter} ${extra}) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { sourceIp ptr baseDomain sender senderCategory knownSender country asn asName messageCount matchingCount dmarcPassCount }
      } }`,
      { o: stack.organisationId },
    );

  it('lists top sources, enriched: reverse DNS, base domain, known sender, country and ASN', async () => {
    const { data } = await sources('ALL', 'first: 2');
    expect(data!.dmarcSources.totalCount).toBe(4);
    expect(data!.dmarcSources.pageInfo.hasNextPage).toBe(true);
    expect(data!.dmarcSources.nodes).toEqual([
      expect.objectContaining({
        sourceIp: '203.0.113.10',
        ptr: 'o1.ptr4242.sendgrid.net',
        baseDomain: 'sendgrid.net',
        sender: 'SendGrid',
        senderCategory: 'email-service',
        knownSender: true,
        country: 'GB',
        asn: 64501,
        asName: 'Example Mail, Ltd',
        messageCount: 12,
      }),
      expect.objectContaining({
        sourceIp: '192.0.2.44',
        ptr: 'mail-oi1-f44.google.com',
        sender: 'Google',
        country: null,
        messageCount: 5,
      }),
    ]);
    const next = await sources(
      'ALL',
      `first: 5, after: "${data!.dmarcSources.pageInfo.endCursor}"`,
    );
    expect(next.data!.dmarcSources.nodes.map((n: { sourceIp: string }) => n.sourceIp)).toEqual([
      '203.0.113.99',
      '2001:db8::25',
    ]);
    expect(next.data!.dmarcSources.nodes[0]).toMatchObject({
      ptr: 'mail.unknown-hoster.example',
      sender: null,
      knownSender: false,
      country: 'NL',
      asn: 64500,
    });
    expect(next.data!.dmarcSources.nodes[1]).toMatchObject({ ptr: null, country: 'DE' });
  });

  it('lists failing sources, DKIM-only and SPF-only senders', async () => {
    const failing = (await sources('FAILING')).data!.dmarcSources.nodes;
    expect(failing.map((n: any) => [n.sourceIp, n.matchingCount])).toEqual([
      ['192.0.2.44', 5],
      ['2001:db8::25', 3],
    ]);
    const dkimOnly = (await sources('DKIM_ONLY')).data!.dmarcSources.nodes;
    expect(dkimOnly.map((n: any) => n.sourceIp)).toEqual(['203.0.113.99']);
    expect((await sources('SPF_ONLY')).data!.dmarcSources.nodes).toEqual([]);
    const unknown = (await sources('UNKNOWN_SENDER')).data!.dmarcSources.nodes;
    expect(unknown.map((n: any) => n.sourceIp)).toEqual(['203.0.113.99', '2001:db8::25']);
  });

  it('caches reverse DNS: a later report from known sources asks nothing', async () => {
    const before = ptrQueries.length;
    const again = fixture('rfc7489.xml')
      .toString()
      .replace('11863358046316181342', 'another-day-1');
    const { body } = await upload('again.xml', Buffer.from(again));
    const done = await ingested(body.id);
    expect(done.parts[0].duplicate).toBe(false);
    const handle = stack.client.workflow.getHandle(`dmarc-report-ingest:${body.id}`);
    await handle.result();
    expect(ptrQueries.length).toBe(before);
  });

  it('lists reports newest first and pages through a report’s records', async () => {
    const { data } = await stack.graphql<{ dmarcReports: Record<string, any> }>(
      `query($o: ID!) { dmarcReports(organisationId: $o, domain: "example.org", first: 10) {
        totalCount nodes { id reporter reportId schema namespaced generator beginAt policy warnings recordCount messageCount }
      } }`,
      { o: stack.organisationId },
    );
    expect(data!.dmarcReports.totalCount).toBe(4);
    expect(data!.dmarcReports.nodes[0]).toMatchObject({
      reporter: 'Mail Receiver Example',
      schema: 'rfc9990',
      namespaced: true,
      generator: 'Receiver DMARC 3.2',
      policy: expect.objectContaining({ np: 'reject', discoveryMethod: 'treewalk' }),
    });
    const report = await stack.graphql<{ dmarcReport: Record<string, any> }>(
      `query($id: ID!) { dmarcReport(id: $id) { reporter records(first: 1) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { sourceIp messageCount disposition dkimAligned spfAligned dkimPass spfPass dkimResults ptr sender }
      } } }`,
      { id: googleReportId },
    );
    expect(report.data!.dmarcReport.records).toMatchObject({
      totalCount: 2,
      pageInfo: { hasNextPage: true },
      nodes: [
        {
          sourceIp: '203.0.113.10',
          messageCount: 12,
          dkimAligned: true,
          spfAligned: true,
          ptr: 'o1.ptr4242.sendgrid.net',
          sender: 'SendGrid',
          dkimResults: [
            { domain: 'example.org', selector: 's1', result: 'pass', humanResult: null },
            { domain: 'esp.example.net', selector: 'k2', result: 'pass', humanResult: null },
          ],
        },
      ],
    });
  });

  it('refuses bad periods and domains with typed errors', async () => {
    const ask = (from: string, to: string, domain = 'example.org') =>
      stack.graphql(
        `query($o: ID!) { dmarcSummary(organisationId: $o, domain: "${domain}", from: "${from}", to: "${to}") { messageCount } }`,
        { o: stack.organisationId },
      );
    expect((await ask('2026-10-23', '2026-10-20')).errors![0].extensions!.code).toBe(
      'BAD_USER_INPUT',
    );
    expect((await ask('2020-01-01', '2026-10-20')).errors![0].extensions!.code).toBe(
      'BAD_USER_INPUT',
    );
    expect((await ask('yesterday', '2026-10-20')).errors![0].extensions!.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      (await ask('2026-10-20', '2026-10-21', 'not a domain')).errors![0].extensions!.code,
    ).toBe('INVALID_DOMAIN_NAME');
  });
});
