import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../lab/lab';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

const AUDIT_FIELDS = `id name targetKind domainName scanners scheduleId
  schedule {
    paused note intervalSeconds intervalOffsetSeconds timeZone jitterSeconds overlap runCount
    nextRunTimes calendars { minute hour dayOfMonth month dayOfWeek }
    recentRuns { scheduledAt workflowId }
  }
  scans { id target status workflowId }`;
const CREATE = `mutation($o: ID!, $name: String!, $domain: String, $schedule: AuditScheduleInput!) {
  createRecurringAudit(organisationId: $o, name: $name, domain: $domain,
    scanners: ["dns-inventory"], schedule: $schedule) { ${AUDIT_FIELDS} }
}`;
const GET = `query($id: ID!) { recurringAudit(id: $id) { ${AUDIT_FIELDS} } }`;

interface Audit {
  id: string;
  name: string;
  targetKind: string;
  domainName: string | null;
  scheduleId: string;
  schedule: {
    paused: boolean;
    note: string | null;
    intervalSeconds: number | null;
    timeZone: string;
    jitterSeconds: number;
    overlap: string;
    runCount: number;
    nextRunTimes: string[];
    calendars: Array<Record<string, number[]>>;
    recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
  };
  scans: Array<{ id: string; target: string; status: string; workflowId: string }>;
}

describe('recurring audits: Temporal Schedules whose runs are scans', () => {
  let lab: Lab;
  let stack: TestStack;

  async function call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await stack.graphql<T>(query, variables);
    if (!res.data || res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  }
  const get = async (id: string) =>
    (await call<{ recurringAudit: Audit }>(GET, { id })).recurringAudit;
  async function waitFor(id: string, until: (a: Audit) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const audit = await get(id);
      if (until(audit)) return audit;
      if (Date.now() > deadline) throw new Error(`audit still ${JSON.stringify(audit)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const schedules = async () => {
    const ids: string[] = [];
    for await (const s of stack.client.schedule.list()) ids.push(s.scheduleId);
    return ids;
  };

  beforeAll(async () => {
    lab = await startLab();
    // One-second intervals are allowed here, so a test sees a schedule fire by itself.
    stack = await startTestStack({ lab, env: { AUDIT_MIN_INTERVAL_SECONDS: '1' } });
    for (const d of ['spf-good.perimeter.test', 'mx-good.perimeter.test']) {
      await call(
        `mutation($o: ID!, $d: String!) { addDomain(organisationId: $o, domain: $d) { id } }`,
        {
          o: stack.organisationId,
          d,
        },
      );
    }
    await stack.startWorker();
  }, 120_000); // The lab and a first workflow bundle take a while on a busy machine.
  afterAll(async () => {
    await stack?.stop();
    await lab?.close();
  });

  it('creates a domain audit once, runs it on "trigger now" as its own scan', async () => {
    const variables = {
      o: stack.organisationId,
      name: 'nightly',
      domain: 'Good.Perimeter.Test',
      schedule: { intervalSeconds: 86_400, intervalOffsetSeconds: 7200 },
    };
    const { createRecurringAudit: audit } = await call<{ createRecurringAudit: Audit }>(
      CREATE,
      variables,
    );
    expect(audit).toMatchObject({
      name: 'nightly',
      targetKind: 'DOMAIN',
      domainName: 'good.perimeter.test',
      scheduleId: `audit:${stack.organisationId}:domain:good.perimeter.test:nightly`,
      schedule: {
        paused: false,
        intervalSeconds: 86_400,
        timeZone: 'UTC',
        overlap: 'SKIP',
        runCount: 0,
      },
      scans: [],
    });
    expect(new Date(audit.schedule.nextRunTimes[0]).getUTCHours()).toBe(2);

    // The same organisation, target and name: the same audit, nothing new anywhere.
    const again = await call<{ createRecurringAudit: Audit }>(CREATE, variables);
    expect(again.createRecurringAudit.id).toBe(audit.id);
    const listed = await call<{ recurringAudits: Array<{ id: string }> }>(
      `query($o: ID!) { recurringAudits(organisationId: $o) { id } }`,
      { o: stack.organisationId },
    );
    expect(listed.recurringAudits).toEqual([{ id: audit.id }]);
    expect(await schedules()).toEqual([audit.scheduleId]);

    await call(`mutation($id: ID!) { triggerRecurringAudit(id: $id) { id } }`, { id: audit.id });
    const ran = await waitFor(audit.id, (a) => a.scans[0]?.status === 'COMPLETED');
    expect(ran.scans).toHaveLength(1);
    expect(ran.scans[0]).toMatchObject({ target: 'good.perimeter.test' });
    expect(ran.scans[0].workflowId).toBe(`domain-scan:${ran.scans[0].id}`);
    expect(ran.schedule.runCount).toBe(1);
    expect(ran.schedule.recentRuns[0].workflowId).toMatch(new RegExp(`^audit-run:${audit.id}`));
    const scan = await call<{ scan: { results: Array<{ scanner: string; status: string }> } }>(
      `query($id: ID!) { scan(id: $id) { results { scanner status } } }`,
      { id: ran.scans[0].id },
    );
    expect(scan.scan.results).toEqual([{ scanner: 'dns', status: 'COMPLETED' }]);
    await recordHistoryIfAsked(stack, ran.schedule.recentRuns[0].workflowId);
  });

  it('runs an organisation audit on a short interval, pauses, resumes, updates and deletes it', async () => {
    const { createRecurringAudit: audit } = await call<{ createRecurringAudit: Audit }>(CREATE, {
      o: stack.organisationId,
      name: 'often',
      schedule: { intervalSeconds: 2, overlap: 'BUFFER_ONE' },
    });
    expect(audit).toMatchObject({ targetKind: 'ORGANISATION', domainName: null });
    // Two runs by the schedule alone, each an organisation scan over all three domains.
    const ran = await waitFor(
      audit.id,
      (a) => a.scans.filter((s) => s.status === 'COMPLETED').length >= 6,
    );
    const runs = (await stack.db.dataSource.query(
      `SELECT o.id, o.status, count(s.id)::int AS children FROM organisation_scan o
         LEFT JOIN scan s ON s.organisation_scan_id = o.id
       WHERE o.recurring_audit_id = $1 GROUP BY o.id`,
      [audit.id],
    )) as Array<{ id: string; children: number }>;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const listedRuns = await call<{
      recurringAudit: { organisationScans: Array<{ id: string; recurringAuditId: string }> };
    }>(
      `query($id: ID!) { recurringAudit(id: $id) { organisationScans(first: 50) { id recurringAuditId } } }`,
      {
        id: audit.id,
      },
    );
    expect(listedRuns.recurringAudit.organisationScans.map((r) => r.id).sort()).toEqual(
      runs.map((r) => r.id).sort(),
    );
    for (const run of runs) expect(run.children).toBeLessThanOrEqual(3);
    expect(new Set(ran.scans.map((s) => s.target))).toEqual(
      new Set(['good.perimeter.test', 'spf-good.perimeter.test', 'mx-good.perimeter.test']),
    );

    const paused = await call<{ pauseRecurringAudit: Audit }>(
      `mutation($id: ID!) { pauseRecurringAudit(id: $id, note: "maintenance") { ${AUDIT_FIELDS} } }`,
      { id: audit.id },
    );
    expect(paused.pauseRecurringAudit.schedule).toMatchObject({
      paused: true,
      note: 'maintenance',
    });
    const countAfterPause = (await get(audit.id)).schedule.runCount;
    await new Promise((r) => setTimeout(r, 4500));
    expect((await get(audit.id)).schedule.runCount).toBe(countAfterPause);

    const resumed = await call<{ resumeRecurringAudit: Audit }>(
      `mutation($id: ID!) { resumeRecurringAudit(id: $id) { ${AUDIT_FIELDS} } }`,
      { id: audit.id },
    );
    expect(resumed.resumeRecurringAudit.schedule.paused).toBe(false);

    const updated = await call<{ updateRecurringAudit: Audit }>(
      `mutation($id: ID!, $s: AuditScheduleInput!) {
        updateRecurringAudit(id: $id, schedule: $s) { ${AUDIT_FIELDS} } }`,
      {
        id: audit.id,
        s: {
          calendars: [{ minute: [15], hour: [3], dayOfWeek: [1, 3] }],
          timeZone: 'Europe/Paris',
          jitterSeconds: 120,
          overlap: 'SKIP',
        },
      },
    );
    expect(updated.updateRecurringAudit.schedule).toMatchObject({
      intervalSeconds: null,
      timeZone: 'Europe/Paris',
      jitterSeconds: 120,
      overlap: 'SKIP',
      calendars: [{ minute: [15], hour: [3], dayOfMonth: [], month: [], dayOfWeek: [1, 3] }],
    });
    const next = new Date(updated.updateRecurringAudit.schedule.nextRunTimes[0]);
    const parisHour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: 'numeric',
    }).format(next);
    expect(Number(parisHour)).toBe(3);

    const deleted = await call<{ deleteRecurringAudit: boolean }>(
      `mutation($id: ID!) { deleteRecurringAudit(id: $id) }`,
      { id: audit.id },
    );
    expect(deleted.deleteRecurringAudit).toBe(true);
    await expect(stack.client.schedule.getHandle(audit.scheduleId).describe()).rejects.toThrow(
      ScheduleNotFoundError,
    );
    const gone = await stack.graphql(GET, { id: audit.id });
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // The scans it made stay.
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM organisation_scan WHERE id = ANY($1)`,
      [runs.map((r) => r.id)],
    )) as Array<{ n: number }>;
    expect(n).toBe(runs.length);
  });

  it('keeps an audit whose domain was removed visible; its runs then scan nothing', async () => {
    const { createRecurringAudit: audit } = await call<{ createRecurringAudit: Audit }>(CREATE, {
      o: stack.organisationId,
      name: 'gone',
      domain: 'nomail.perimeter.test',
      schedule: { intervalSeconds: 86_400 },
    });
    const { domains } = await call<{ domains: { nodes: Array<{ id: string; name: string }> } }>(
      `query($o: ID!) { domains(organisationId: $o, search: "nomail") { nodes { id name } } }`,
      { o: stack.organisationId },
    );
    const domain = domains.nodes.find((d) => d.name === 'nomail.perimeter.test')!;
    await call(`mutation($id: ID!) { removeDomain(id: $id) }`, { id: domain.id });
    const after = await call<{ recurringAudit: { domainName: string; domainPresent: boolean } }>(
      `query($id: ID!) { recurringAudit(id: $id) { domainName domainPresent } }`,
      { id: audit.id },
    );
    expect(after.recurringAudit).toEqual({
      domainName: 'nomail.perimeter.test',
      domainPresent: false,
    });
    await call(`mutation($id: ID!) { triggerRecurringAudit(id: $id) { id } }`, { id: audit.id });
    const ran = await waitFor(audit.id, (a) => a.schedule.recentRuns.length === 1);
    const result = await stack.client.workflow
      .getHandle(ran.schedule.recentRuns[0].workflowId)
      .result();
    expect(result).toBeNull();
    expect((await get(audit.id)).scans).toEqual([]);
    const nothing = await stack.graphql(
      `mutation($id: ID!) { updateRecurringAudit(id: $id) { id } }`,
      {
        id: audit.id,
      },
    );
    expect(nothing.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad schedules and names with a typed error, creating nothing', async () => {
    const before = await schedules();
    const rows = async () =>
      (
        (await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM recurring_audit`)) as [
          { n: number },
        ]
      )[0].n;
    const rowsBefore = await rows();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'Bad Name', schedule: { intervalSeconds: 60 } }, /name:/],
      [{ name: 'x', schedule: { intervalSeconds: 0 } }, /intervalSeconds: between 1/],
      [{ name: 'x', schedule: { intervalSeconds: 60, timeZone: 'Nowhere/Land' } }, /timeZone/],
      [{ name: 'x', schedule: {} }, /intervalSeconds or calendars/],
      [{ name: 'x', domain: '127.0.0.1', schedule: { intervalSeconds: 60 } }, /./],
    ];
    for (const [input, message] of cases) {
      const res = await stack.graphql(CREATE, { o: stack.organisationId, ...input });
      expect(res.errors?.[0].message).toMatch(message);
      expect(['BAD_USER_INPUT', 'INVALID_DOMAIN_NAME']).toContain(res.errors?.[0].extensions?.code);
    }
    expect(await schedules()).toEqual(before);
    expect(await rows()).toBe(rowsBefore);
  });
});
