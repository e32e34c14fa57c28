import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../../libs/telemetry';
import type { Lab } from '../../lab/lab';
import type { TestStack } from '../../test/support/test-stack';

describe('one trace from the GraphQL request to the SQL the activity runs', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let lab: Lab;
  let stack: TestStack;
  let waitForScan: typeof import('../../test/support/test-stack.js').waitForScan;

  beforeAll(async () => {
    // Tracing first, then the modules that load `http` and `pg`, as the real entrypoints do.
    telemetry = startTelemetry({
      serviceName: 'perimeter-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const support = await import('../../test/support/test-stack.js');
    waitForScan = support.waitForScan;
    lab = await (await import('../../lab/lab.js')).startLab();
    stack = await support.startTestStack({
      env: { SCANNER_RESOLVERS: lab.resolvers.join(',') },
      telemetry,
    });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
    await telemetry?.shutdown();
  });

  it('links HTTP → GraphQL → workflow start → workflow → activity → SQL', async () => {
    exporter.reset();
    const { data } = await stack.graphql<{ requestDomainScan: { id: string } }>(
      `mutation($o: ID!) { requestDomainScan(organisationId: $o, domain: "good.perimeter.test", scanners: ["dns-inventory"]) { id } }`,
      { o: stack.organisationId },
    );
    await waitForScan(stack, data!.requestDomainScan.id);

    const find = (predicate: (s: ReadableSpan) => boolean, what: string): ReadableSpan => {
      const span = exporter.getFinishedSpans().find(predicate);
      if (!span) {
        const names = exporter.getFinishedSpans().map((s) => s.name);
        throw new Error(`no ${what} span among: ${[...new Set(names)].join(', ')}`);
      }
      return span;
    };
    // Workflow spans reach the exporter through a sink, shortly after the workflow completes.
    const deadline = Date.now() + 10_000;
    while (!exporter.getFinishedSpans().some((s) => s.name === 'RunWorkflow:domainScan')) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const byId = new Map(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
    const ancestors = (span: ReadableSpan): string[] => {
      const chain: string[] = [];
      for (let p = span.parentSpanContext?.spanId; p;) {
        const parent = byId.get(p);
        if (!parent) break;
        chain.push(parent.name);
        p = parent.parentSpanContext?.spanId;
      }
      return chain;
    };

    const gql = find((s) => s.name === 'graphql Mutation.requestDomainScan', 'GraphQL');
    const traceId = gql.spanContext().traceId;
    const inTrace = (s: ReadableSpan) => s.spanContext().traceId === traceId;

    expect(ancestors(gql)).toEqual([expect.stringMatching(/^POST/)]);
    const insertScan = find(
      (s) =>
        inTrace(s) &&
        s.name.startsWith('pg.query') &&
        /INSERT INTO "?scan"? *\(/i.test(
          String(s.attributes['db.statement'] ?? s.attributes['db.query.text']),
        ),
      'INSERT scan',
    );
    expect(ancestors(insertScan)).toContain('graphql Mutation.requestDomainScan');

    const start = find((s) => inTrace(s) && s.name === 'StartWorkflow:domainScan', 'StartWorkflow');
    expect(ancestors(start)[0]).toBe('graphql Mutation.requestDomainScan');

    const run = find((s) => inTrace(s) && s.name === 'RunWorkflow:domainScan', 'RunWorkflow');
    expect(ancestors(run)).toContain('StartWorkflow:domainScan');

    const activity = find(
      (s) => inTrace(s) && s.name === 'RunActivity:dnsInventory',
      'RunActivity',
    );
    expect(ancestors(activity)).toEqual(
      expect.arrayContaining([
        'StartActivity:dnsInventory',
        'RunWorkflow:domainScan',
        'StartWorkflow:domainScan',
        'graphql Mutation.requestDomainScan',
      ]),
    );

    const upsert = find(
      (s) =>
        inTrace(s) &&
        s.name.startsWith('pg.query') &&
        /INSERT INTO scan_result/i.test(
          String(s.attributes['db.statement'] ?? s.attributes['db.query.text']),
        ),
      'INSERT scan_result',
    );
    expect(ancestors(upsert)[0]).toBe('RunActivity:dnsInventory');
    expect(ancestors(upsert).at(-1)).toMatch(/^POST/);
  });
});
