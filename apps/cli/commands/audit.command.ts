import { ApiError } from './api-client';
import { render } from './output';
import { list, parseDuration, withClient, type RemoteOptions } from './remote';

export interface AuditOptions extends RemoteOptions {
  domain?: string;
  only?: string;
  /** `--every 6h`: an interval. */
  every?: string;
  /** `--offset 2h`: shifts interval runs. */
  offset?: string;
  /** `--at 02:30`: a calendar time (with `--days mon,fri` for weekdays). */
  at?: string;
  days?: string;
  timeZone?: string;
  jitter?: string;
  overlap?: string;
  paused?: boolean;
  note?: string;
}

const FIELDS = `id name targetKind domainName scanners scheduleId createdAt
  schedule { paused note intervalSeconds intervalOffsetSeconds timeZone jitterSeconds overlap
    runCount nextRunTimes calendars { minute hour dayOfMonth month dayOfWeek }
    recentRuns { scheduledAt workflowId } }`;

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const OVERLAPS = [
  'skip',
  'buffer-one',
  'buffer-all',
  'cancel-other',
  'terminate-other',
  'allow-all',
];

interface AuditView {
  id: string;
  name: string;
  targetKind: string;
  domainName: string | null;
  scanners: string[];
  schedule: {
    paused: boolean;
    intervalSeconds: number | null;
    timeZone: string;
    calendars: Array<{ minute: number[]; hour: number[]; dayOfWeek: number[] }>;
    nextRunTimes: string[];
    runCount: number;
  } | null;
}

/** The schedule options given on the command line, as the API's AuditScheduleInput. */
function scheduleInput(o: AuditOptions): Record<string, unknown> | undefined {
  if (!o.every && !o.at) {
    if (o.days || o.offset)
      throw new ApiError('--days needs --at; --offset needs --every', 'USAGE');
    return undefined;
  }
  const input: Record<string, unknown> = {};
  if (o.every) input.intervalSeconds = parseDuration(o.every, '--every');
  if (o.offset) input.intervalOffsetSeconds = parseDuration(o.offset, '--offset');
  if (o.at) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(o.at);
    if (!m) throw new ApiError('--at: expected HH:MM', 'USAGE');
    const days = list(o.days)?.map((d) => {
      const i = DAYS.indexOf(d.toLowerCase().slice(0, 3));
      if (i < 0) throw new ApiError(`--days: not a weekday: ${d}`, 'USAGE');
      return i;
    });
    input.calendars = [{ hour: [Number(m[1])], minute: [Number(m[2])], dayOfWeek: days }];
  }
  if (o.timeZone) input.timeZone = o.timeZone;
  if (o.jitter) input.jitterSeconds = parseDuration(o.jitter, '--jitter');
  if (o.overlap) {
    if (!OVERLAPS.includes(o.overlap)) {
      throw new ApiError(`--overlap: one of ${OVERLAPS.join(', ')}`, 'USAGE');
    }
    input.overlap = o.overlap.toUpperCase().replace(/-/g, '_');
  }
  return input;
}

function when(a: AuditView): string {
  const s = a.schedule;
  if (!s) return '(schedule unavailable)';
  const parts: string[] = [];
  if (s.intervalSeconds) parts.push(`every ${s.intervalSeconds}s`);
  for (const c of s.calendars) {
    const time = c.hour.map(
      (h) => `${String(h).padStart(2, '0')}:${String(c.minute[0] ?? 0).padStart(2, '0')}`,
    );
    const days = c.dayOfWeek.length ? ` ${c.dayOfWeek.map((d) => DAYS[d]).join(',')}` : ' daily';
    parts.push(`${time.join(',')}${days}`);
  }
  return `${parts.join(' + ')} ${s.timeZone}`;
}

function rows(audits: AuditView[]) {
  return audits.map((a) => ({
    name: a.name,
    target: a.targetKind === 'DOMAIN' ? a.domainName : '(organisation)',
    when: when(a),
    state: a.schedule ? (a.schedule.paused ? 'paused' : 'active') : '?',
    runs: a.schedule?.runCount ?? '',
    next: a.schedule?.nextRunTimes[0] ?? '',
    id: a.id,
  }));
}
const COLUMNS = ['name', 'target', 'when', 'state', 'runs', 'next', 'id'];

/**
 * `perimeter --server URL audit list|show|create|update|pause|resume|trigger|delete …`
 */
export function auditCommand(
  sub: string | undefined,
  arg: string | undefined,
  opts: AuditOptions,
): Promise<number> {
  return withClient(opts, async (client) => {
    const one = async (mutation: string, variables: Record<string, unknown>, args = '') => {
      const data = await client.request<Record<string, AuditView>>(
        `mutation($id: ID!${args ? `, ${args}` : ''}) { ${mutation} { ${FIELDS} } }`,
        variables,
      );
      const audit = Object.values(data)[0];
      console.log(render(opts.format, audit, rows([audit]), COLUMNS));
      return 0;
    };
    const needId = () => {
      if (!arg) throw new ApiError(`audit ${sub} <id>`, 'USAGE');
      return arg;
    };
    switch (sub) {
      case 'list': {
        const organisationId = await client.organisationId(opts.organisation);
        const { recurringAudits } = await client.request<{ recurringAudits: AuditView[] }>(
          `query($o: ID!) { recurringAudits(organisationId: $o) { ${FIELDS} } }`,
          { o: organisationId },
        );
        console.log(render(opts.format, recurringAudits, rows(recurringAudits), COLUMNS));
        return 0;
      }
      case 'show': {
        const { recurringAudit } = await client.request<{ recurringAudit: AuditView }>(
          `query($id: ID!) { recurringAudit(id: $id) { ${FIELDS} } }`,
          { id: needId() },
        );
        console.log(render(opts.format, recurringAudit, rows([recurringAudit]), COLUMNS));
        return 0;
      }
      case 'create': {
        if (!arg) throw new ApiError('audit create <name> (--every 6h | --at HH:MM)', 'USAGE');
        const schedule = scheduleInput(opts);
        if (!schedule) throw new ApiError('audit create: give --every or --at', 'USAGE');
        const organisationId = await client.organisationId(opts.organisation);
        const { createRecurringAudit: audit } = await client.request<{
          createRecurringAudit: AuditView;
        }>(
          `mutation($o: ID!, $n: String!, $d: String, $s: [String!], $sch: AuditScheduleInput!, $p: Boolean) {
            createRecurringAudit(organisationId: $o, name: $n, domain: $d, scanners: $s,
              schedule: $sch, paused: $p) { ${FIELDS} } }`,
          {
            o: organisationId,
            n: arg,
            d: opts.domain,
            s: list(opts.only),
            sch: schedule,
            p: opts.paused ?? false,
          },
        );
        console.log(render(opts.format, audit, rows([audit]), COLUMNS));
        return 0;
      }
      case 'update':
        return one(
          'updateRecurringAudit(id: $id, schedule: $sch, scanners: $s)',
          { id: needId(), sch: scheduleInput(opts), s: list(opts.only) },
          '$sch: AuditScheduleInput, $s: [String!]',
        );
      case 'pause':
      case 'resume':
        return one(
          `${sub}RecurringAudit(id: $id, note: $note)`,
          { id: needId(), note: opts.note },
          '$note: String',
        );
      case 'trigger':
        return one('triggerRecurringAudit(id: $id)', { id: needId() });
      case 'delete': {
        await client.request(`mutation($id: ID!) { deleteRecurringAudit(id: $id) }`, {
          id: needId(),
        });
        console.log(opts.format === 'json' ? JSON.stringify({ deleted: arg }) : `deleted ${arg}`);
        return 0;
      }
    }
    throw new ApiError(
      'audit list|show <id>|create <name>|update <id>|pause <id>|resume <id>|trigger <id>|delete <id>',
      'USAGE',
    );
  });
}
