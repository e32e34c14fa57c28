import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingCatalogue } from '../../../activities/posture-checks';
import { evaluateScanGuidance } from '../../../activities/guidance.activities';
import { startLab, type Lab } from '../../../lab/lab';
import { createDomainScan } from '../../../libs/db';
import { buildCatalogue, mailRules, type CompoundRule } from '../../../libs/guidance';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestStack, waitForScan, type TestStack } from '../../../test/support/test-stack';

const REQUEST = `mutation($o: ID!, $d: String!, $s: [String!]) {
  requestDomainScan(organisationId: $o, domain: $d, scanners: $s) { id workflowId }
}`;
const GUIDANCE = `query($id: ID!) {
  scan(id: $id) {
    status
    guidanceTags { tagId area severity scanner message evidence tag { title fix trackerTagId source } }
    compliance {
      scanId domainId catalogueVersion catalogueIsCurrent web mail dmarcPhase
      criteria { id group title status reason }
    }
  }
}`;
const ORGANISATION = `query($o: ID!) {
  organisationCompliance(organisationId: $o) {
    domainCount evaluatedDomainCount
    web { compliant nonCompliant unknown notApplicable notEvaluated compliantPercent }
    mail { compliant nonCompliant unknown notEvaluated compliantPercent compliantPercentOfEvaluated }
    dmarcPhases { phase count percent }
  }
}`;
const DOMAINS = `query($o: ID!, $first: Int, $after: String, $last: Int, $before: String,
    $phase: DmarcPhase, $tag: String) {
  organisationDomainCompliance(organisationId: $o, first: $first, after: $after, last: $last,
      before: $before, dmarcPhase: $phase, tag: $tag) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { domainId domain compliance { mail dmarcPhase } }
  }
}`;
const TREND = `query($o: ID!, $from: DateTime!, $to: DateTime, $first: Int, $after: String) {
  organisationComplianceTrend(organisationId: $o, from: $from, to: $to, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { periodStart at domainCount evaluatedDomainCount mail { nonCompliant } dmarcPhases { phase count } }
  }
}`;
const REEVALUATE = `mutation($id: ID!) {
  reevaluateScanGuidance(scanId: $id) { id compliance { catalogueVersion catalogueIsCurrent } guidanceTags { tagId } }
}`;

const DAY = 86_400_000;

describe('guidance and compliance through GraphQL', () => {
  let lab: Lab;
  let stack: TestStack;
  const started = new Date();
  const scans: Record<string, { id: string; workflowId: string }> = {};

  async function scan(domain: string, scanners?: string[]) {
    const res = await stack.graphql<{ requestDomainScan: { id: string; workflowId: string } }>(
      REQUEST,
      { o: stack.organisationId, d: domain, s: scanners },
    );
    expect(res.errors).toBeUndefined();
    await waitForScan(stack, res.data!.requestDomainScan.id, undefined, 90_000);
    return res.data!.requestDomainScan;
  }

  async function guidanceOf(id: string) {
    const res = await stack.graphql<{ scan: any }>(GUIDANCE, { id });
    expect(res.errors).toBeUndefined();
    return res.data!.scan;
  }

  const criterion = (compliance: any, id: string) =>
    compliance.criteria.find((c: { id: string }) => c.id === id);

  beforeAll(async () => {
    lab = await startLab();
    stack = await startTestStack({ lab });
    await stack.startWorker();
    scans.good = await scan('good.perimeter.test');
    scans.monitoring = await scan('dmarc-p-none.perimeter.test', ['mail']);
    scans.parked = await scan('mx-null.perimeter.test', ['mail']);
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  it('the guidance step runs in domainScan and stores tags with their catalogue entry', async () => {
    await recordHistoryIfAsked(stack, scans.good.workflowId);
    const history = await stack.client.workflow.getHandle(scans.good.workflowId).fetchHistory();
    const activities = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activities.at(-2)).toBe('evaluateGuidance');
    expect(activities.at(-1)).toBe('finishScan');

    const good = await guidanceOf(scans.good.id);
    expect(good.status).toBe('COMPLETED');
    const tags = new Map(good.guidanceTags.map((t: { tagId: string }) => [t.tagId, t]));
    expect(tags.get('dmarc.policy-reject')).toMatchObject({
      area: 'dmarc',
      severity: 'PASS',
      scanner: 'dmarc',
      tag: { trackerTagId: 'dmarc6', source: 'FINDING', fix: null },
    });
    expect(tags.get('spf.hard-fail')).toMatchObject({ tag: { trackerTagId: 'spf8' } });
    // good.perimeter.test enforces DMARC but publishes no DKIM key: a compound rule says so.
    expect(tags.get('mail.dmarc-enforced-without-dkim')).toMatchObject({
      area: 'mail',
      severity: 'WARNING',
      scanner: null,
      message: expect.stringContaining('reject'),
      tag: { source: 'RULE', fix: expect.stringContaining('DKIM') },
    });
    const severities = good.guidanceTags.map((t: { severity: string }) => t.severity);
    expect(severities.indexOf('PASS')).toBeGreaterThan(severities.lastIndexOf('WARNING'));
  });

  it('computes web and mail compliance, unknown where a scanner did not run', async () => {
    const { compliance } = await guidanceOf(scans.good.id);
    const version = await stack.graphql<{ guidanceCatalogueVersion: string }>(
      '{ guidanceCatalogueVersion }',
    );
    expect(compliance).toMatchObject({
      scanId: scans.good.id,
      catalogueVersion: version.data!.guidanceCatalogueVersion,
      catalogueIsCurrent: true,
      mail: 'NON_COMPLIANT',
      dmarcPhase: 'ENFORCE',
    });
    expect(criterion(compliance, 'mail.dmarc-enforced')).toMatchObject({ status: 'PASS' });
    expect(criterion(compliance, 'mail.spf-strict')).toMatchObject({
      status: 'PASS',
      reason: expect.stringMatching(/^ends in -all/),
    });
    expect(criterion(compliance, 'mail.dkim-strong-keys')).toMatchObject({ status: 'FAIL' });
    // No web server answers for good.perimeter.test in the lab: nothing to check, not a failure.
    expect(compliance.web).toBe('NOT_APPLICABLE');
    for (const c of compliance.criteria.filter((c: { group: string }) => c.group === 'WEB')) {
      expect(c).toMatchObject({ status: 'NOT_APPLICABLE', reason: 'web.not-live reported' });
    }
    // Its MX host refuses connections: no STARTTLS there.
    expect(criterion(compliance, 'mail.starttls-everywhere')).toMatchObject({
      status: 'FAIL',
      reason: expect.stringContaining('smtp-tls.no-service'),
    });

    const monitoring = (await guidanceOf(scans.monitoring.id)).compliance;
    expect(monitoring.dmarcPhase).toBe('ASSESS');
    // A mail-only scan: no web or TLS scanner ran, so the web criteria are unknown, never failed.
    expect(monitoring.web).toBe('UNKNOWN');
    expect(criterion(monitoring, 'web.https-enforced')).toMatchObject({
      status: 'UNKNOWN',
      reason: 'no web scan ran',
    });
    expect(criterion(monitoring, 'web.tls-modern-only').reason).toBe('no tls scan ran');
    expect(criterion(monitoring, 'mail.dmarc-enforced').reason).toBe('p=none: monitoring only');

    const parked = await guidanceOf(scans.parked.id);
    expect(parked.compliance.dmarcPhase).toBe('NOT_IMPLEMENTED');
    expect(criterion(parked.compliance, 'mail.dkim-strong-keys').status).toBe('NOT_APPLICABLE');
    expect(criterion(parked.compliance, 'mail.starttls-everywhere').status).toBe('NOT_APPLICABLE');
    const parkedTag = parked.guidanceTags.find(
      (t: { tagId: string }) => t.tagId === 'mail.parked-domain-unprotected',
    );
    expect(parkedTag.message).toBe(
      'The domain accepts no mail (null MX) but lacks DMARC p=reject.',
    );
  });

  it('answers a domain’s compliance and the organisation’s counts and percentages', async () => {
    const { compliance } = await guidanceOf(scans.good.id);
    const domain = await stack.graphql<{ domainCompliance: any }>(
      'query($d: ID!) { domainCompliance(domainId: $d) { scanId mail } }',
      { d: compliance.domainId },
    );
    expect(domain.data!.domainCompliance).toEqual({ scanId: scans.good.id, mail: 'NON_COMPLIANT' });
    const listed = await stack.graphql<{ domains: any }>(
      'query($o: ID!) { domains(organisationId: $o, first: 10) { nodes { name compliance { dmarcPhase } } } }',
      { o: stack.organisationId },
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.domains.nodes).toEqual([
      { name: 'dmarc-p-none.perimeter.test', compliance: { dmarcPhase: 'ASSESS' } },
      { name: 'good.perimeter.test', compliance: { dmarcPhase: 'ENFORCE' } },
      { name: 'mx-null.perimeter.test', compliance: { dmarcPhase: 'NOT_IMPLEMENTED' } },
    ]);

    const org = await stack.graphql<{ organisationCompliance: any }>(ORGANISATION, {
      o: stack.organisationId,
    });
    expect(org.errors).toBeUndefined();
    const summary = org.data!.organisationCompliance;
    expect(summary).toMatchObject({
      domainCount: 3,
      evaluatedDomainCount: 3,
      // good.perimeter.test has no web site; the mail-only scans leave the other two unknown.
      web: { compliant: 0, notApplicable: 1, unknown: 2, notEvaluated: 0, compliantPercent: 0 },
      mail: { compliant: 0, nonCompliant: 3, compliantPercent: 0, compliantPercentOfEvaluated: 0 },
    });
    const phases = Object.fromEntries(
      summary.dmarcPhases.map((p: { phase: string; count: number }) => [p.phase, p.count]),
    );
    expect(phases).toMatchObject({ NOT_IMPLEMENTED: 1, ASSESS: 1, ENFORCE: 1, MAINTAIN: 0 });
    expect(
      summary.dmarcPhases.find((p: { phase: string }) => p.phase === 'ASSESS').percent,
    ).toBeCloseTo(33.3);
  });

  it('pages through the organisation’s domains forwards and backwards, and filters them', async () => {
    const page = (v: Record<string, unknown>) =>
      stack.graphql<{ organisationDomainCompliance: any }>(DOMAINS, {
        o: stack.organisationId,
        ...v,
      });
    const first = (await page({ first: 2 })).data!.organisationDomainCompliance;
    expect(first.totalCount).toBe(3);
    expect(first.nodes.map((n: { domain: string }) => n.domain)).toEqual([
      'dmarc-p-none.perimeter.test',
      'good.perimeter.test',
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await page({ first: 2, after: first.pageInfo.endCursor })).data!
      .organisationDomainCompliance;
    expect(second.nodes.map((n: { domain: string }) => n.domain)).toEqual([
      'mx-null.perimeter.test',
    ]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = (await page({ last: 2, before: second.pageInfo.startCursor })).data!
      .organisationDomainCompliance;
    expect(back.nodes.map((n: { domain: string }) => n.domain)).toEqual(
      first.nodes.map((n: { domain: string }) => n.domain),
    );
    const assess = (await page({ phase: 'ASSESS' })).data!.organisationDomainCompliance;
    expect(assess.totalCount).toBe(1);
    expect(assess.nodes[0]).toMatchObject({
      domain: 'dmarc-p-none.perimeter.test',
      compliance: { dmarcPhase: 'ASSESS', mail: 'NON_COMPLIANT' },
    });
    const parked = (await page({ tag: 'mail.parked-domain-unprotected' })).data!
      .organisationDomainCompliance;
    expect(parked.nodes.map((n: { domain: string }) => n.domain)).toEqual([
      'mx-null.perimeter.test',
    ]);
    expect((await page({ tag: 'no.such-tag' })).errors?.[0].extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    const bad = await page({ first: -1 });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers the trend over a time range from the evaluations stored per scan', async () => {
    // The lab is static: back-dating the good domain's stored evaluation by two days stands in
    // for a scan made then.
    await stack.db.dataSource.query(
      `UPDATE guidance_evaluation SET scanned_at = scanned_at - interval '2 days' WHERE scan_id = $1`,
      [scans.good.id],
    );
    const from = new Date(started.getTime() - 3 * DAY);
    const to = new Date(started.getTime() + 1); // the last period starts just after the scans began
    const res = await stack.graphql<{ organisationComplianceTrend: any }>(TREND, {
      o: stack.organisationId,
      from: from.toISOString(),
      to: to.toISOString(),
      first: 2,
    });
    expect(res.errors).toBeUndefined();
    const firstPage = res.data!.organisationComplianceTrend;
    expect(firstPage.totalCount).toBe(4);
    const rest = await stack.graphql<{ organisationComplianceTrend: any }>(TREND, {
      o: stack.organisationId,
      from: from.toISOString(),
      to: to.toISOString(),
      first: 10,
      after: firstPage.pageInfo.endCursor,
    });
    const points = [...firstPage.nodes, ...rest.data!.organisationComplianceTrend.nodes];
    expect(points.map((p: { evaluatedDomainCount: number }) => p.evaluatedDomainCount)).toEqual([
      0, 1, 1, 3,
    ]);
    expect(points.every((p: { domainCount: number }) => p.domainCount === 3)).toBe(true);
    expect(new Date(points[0].periodStart).getTime()).toBe(from.getTime());
    expect(new Date(points[0].at).getTime()).toBe(from.getTime() + DAY);

    const tooLong = await stack.graphql(TREND, {
      o: stack.organisationId,
      from: new Date(started.getTime() - 400 * DAY).toISOString(),
    });
    expect(tooLong.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/at most 366 days/),
    });
    const backwards = await stack.graphql(TREND, {
      o: stack.organisationId,
      from: to.toISOString(),
      to: from.toISOString(),
    });
    expect(backwards.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('re-evaluates a scan against the current catalogue without rescanning', async () => {
    const ds = stack.db.dataSource;
    const resultsBefore = await ds.query(
      `SELECT id, finished_at FROM scan_result WHERE scan_id = $1 ORDER BY id`,
      [scans.monitoring.id],
    );
    // As if the scan had been evaluated by an older catalogue that knew fewer tags.
    await ds.query(
      `UPDATE guidance_evaluation SET catalogue_version = '0.old' WHERE scan_id = $1`,
      [scans.monitoring.id],
    );
    await ds.query(`DELETE FROM guidance_tag WHERE scan_id = $1`, [scans.monitoring.id]);
    const stale = await guidanceOf(scans.monitoring.id);
    expect(stale.compliance.catalogueIsCurrent).toBe(false);
    expect(stale.guidanceTags).toEqual([]);

    const res = await stack.graphql<{ reevaluateScanGuidance: any }>(REEVALUATE, {
      id: scans.monitoring.id,
    });
    expect(res.errors).toBeUndefined();
    const again = res.data!.reevaluateScanGuidance;
    expect(again.compliance.catalogueIsCurrent).toBe(true);
    expect(again.guidanceTags.map((t: { tagId: string }) => t.tagId)).toContain(
      'dmarc.policy-none',
    );
    expect(
      await ds.query(`SELECT id, finished_at FROM scan_result WHERE scan_id = $1 ORDER BY id`, [
        scans.monitoring.id,
      ]),
    ).toEqual(resultsBefore);
    const audit = await ds.query(
      `SELECT details FROM audit_log WHERE action = 'guidance.reevaluate' AND target_id = $1`,
      [scans.monitoring.id],
    );
    expect(audit[0].details).toMatchObject({ from: '0.old' });

    const running = await createDomainScan(ds, {
      organisationId: stack.organisationId,
      domain: { ascii: 'queued.perimeter.test', unicode: 'queued.perimeter.test' },
      requestedBy: null,
    });
    const conflict = await stack.graphql(REEVALUATE, { id: running.scan.id });
    expect(conflict.errors?.[0].extensions?.code).toBe('CONFLICT');
    await ds.query(`DELETE FROM domain WHERE id = $1`, [running.domain.id]);
    await ds.query(`DELETE FROM scan WHERE id = $1`, [running.scan.id]);
    const unknown = await stack.graphql(REEVALUATE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('a newer catalogue adds its tags to an old scan through the activity’s function', async () => {
    const newRule: CompoundRule = {
      definition: {
        id: 'mail.monitoring-only',
        area: 'mail',
        severity: 'info',
        title: 'Monitoring only',
        meaning: 'DMARC is at p=none.',
        fix: 'Move to quarantine.',
        references: ['RFC 9989'],
      },
      rule: {
        tag: 'mail.monitoring-only',
        reads: ['dmarc'],
        appliesWhen: 'p=none',
        evaluate: (facts) => (facts.has('dmarc.policy-none') ? { message: 'p=none' } : null),
      },
    };
    const newer = buildCatalogue(findingCatalogue, [...mailRules, newRule]);
    const summary = await evaluateScanGuidance(stack.db.dataSource, scans.monitoring.id, newer);
    expect(summary?.catalogueVersion).toBe(newer.version);
    const after = await guidanceOf(scans.monitoring.id);
    expect(after.compliance.catalogueVersion).toBe(newer.version);
    expect(
      after.guidanceTags.find((t: { tagId: string }) => t.tagId === 'mail.monitoring-only'),
    ).toMatchObject({ message: 'p=none', tag: null });
  });

  it('serves the catalogue: every tag, by area, and one by id', async () => {
    const all = await stack.graphql<{ guidanceTags: Array<{ id: string }> }>(
      '{ guidanceTags { id area } }',
    );
    expect(all.data!.guidanceTags.length).toBeGreaterThanOrEqual(
      Object.keys(findingCatalogue).length,
    );
    const spf = await stack.graphql<{ guidanceTags: Array<{ area: string }> }>(
      '{ guidanceTags(area: "spf") { id area } }',
    );
    expect(new Set(spf.data!.guidanceTags.map((t) => t.area))).toEqual(new Set(['spf']));
    const one = await stack.graphql<{ guidanceTag: any }>(
      '{ guidanceTag(id: "spf.too-many-lookups") { title severity trackerTagId references } }',
    );
    expect(one.data!.guidanceTag).toMatchObject({ severity: 'FAIL', trackerTagId: 'spf11' });
    const missing = await stack.graphql('{ guidanceTag(id: "nope.nothing") { id } }');
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const badArea = await stack.graphql('{ guidanceTags(area: "nmap") { id } }');
    expect(badArea.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
