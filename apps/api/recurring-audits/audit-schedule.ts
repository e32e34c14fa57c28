import {
  DAYS_OF_WEEK,
  MONTHS,
  type CalendarSpec,
  type CalendarSpecDescription,
  type Range,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import type { AuditCalendarInput, AuditOverlap } from './models/audit-schedule.input';

/** A refused schedule, with the field and the reason. */
export class InvalidAuditSchedule extends Error {
  override readonly name = 'InvalidAuditSchedule';
}

export interface AuditScheduleFields {
  intervalSeconds?: number | null;
  intervalOffsetSeconds?: number | null;
  calendars?: AuditCalendarInput[] | null;
  timeZone: string;
  jitterSeconds: number;
  overlap: AuditOverlap;
}

const DAY = 86_400;
const MAX_INTERVAL = 366 * DAY;
const MAX_CALENDARS = 10;
const FIELDS = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  month: { min: 1, max: 12 },
  dayOfWeek: { min: 0, max: 6 },
} as const;
type CalendarField = keyof typeof FIELDS;

function validTimeZone(tz: string): boolean {
  if (tz.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function values(field: CalendarField, list: number[] | null | undefined, i: number): number[] {
  if (list == null) return [];
  const { min, max } = FIELDS[field];
  if (list.length === 0) throw new InvalidAuditSchedule(`calendars[${i}].${field}: empty list`);
  const bad = list.filter((v) => !Number.isInteger(v) || v < min || v > max);
  if (bad.length) {
    throw new InvalidAuditSchedule(`calendars[${i}].${field}: ${bad[0]} is not in ${min}–${max}`);
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * Checks a schedule and turns it into Temporal's spec. `minIntervalSeconds` bounds how often an
 * audit may run; for calendars the bound applies to the average gap of the busiest day (runs per
 * day = minutes × hours), which is what a hostile "every minute" calendar would exceed.
 */
export function toScheduleSpec(
  s: AuditScheduleFields,
  minIntervalSeconds: number,
): { spec: ScheduleSpec; overlap: AuditOverlap } {
  const calendars = s.calendars ?? [];
  if (s.intervalSeconds == null && calendars.length === 0) {
    throw new InvalidAuditSchedule('give intervalSeconds or calendars');
  }
  if (calendars.length > MAX_CALENDARS) {
    throw new InvalidAuditSchedule(`calendars: at most ${MAX_CALENDARS}`);
  }
  if (!validTimeZone(s.timeZone)) {
    throw new InvalidAuditSchedule(`timeZone: not an IANA time zone: ${s.timeZone.slice(0, 64)}`);
  }
  if (!Number.isInteger(s.jitterSeconds) || s.jitterSeconds < 0 || s.jitterSeconds > DAY) {
    throw new InvalidAuditSchedule(`jitterSeconds: between 0 and ${DAY}`);
  }
  const spec: ScheduleSpec = {
    timezone: s.timeZone,
    ...(s.jitterSeconds ? { jitter: s.jitterSeconds * 1000 } : {}),
  };
  if (s.intervalSeconds != null) {
    const every = s.intervalSeconds;
    if (!Number.isInteger(every) || every < minIntervalSeconds || every > MAX_INTERVAL) {
      throw new InvalidAuditSchedule(
        `intervalSeconds: between ${minIntervalSeconds} and ${MAX_INTERVAL}`,
      );
    }
    const offset = s.intervalOffsetSeconds ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset >= every) {
      throw new InvalidAuditSchedule('intervalOffsetSeconds: at least 0 and below intervalSeconds');
    }
    spec.intervals = [{ every: every * 1000, ...(offset ? { offset: offset * 1000 } : {}) }];
  } else if (s.intervalOffsetSeconds != null) {
    throw new InvalidAuditSchedule('intervalOffsetSeconds: needs intervalSeconds');
  }
  spec.calendars = calendars.map((c, i): CalendarSpec => {
    const minute = values('minute', c.minute, i);
    const hour = values('hour', c.hour, i);
    const runsPerDay = Math.max(minute.length, 1) * Math.max(hour.length, 1);
    if (DAY / runsPerDay < minIntervalSeconds) {
      throw new InvalidAuditSchedule(
        `calendars[${i}]: ${runsPerDay} runs a day is more often than every ${minIntervalSeconds} s`,
      );
    }
    const dayOfMonth = values('dayOfMonth', c.dayOfMonth, i);
    const month = values('month', c.month, i);
    const dayOfWeek = values('dayOfWeek', c.dayOfWeek, i);
    return {
      minute: minute.length ? minute : 0,
      hour: hour.length ? hour : 0,
      dayOfMonth: dayOfMonth.length ? dayOfMonth : '*',
      month: month.length ? month.map((m) => MONTHS[m - 1]) : '*',
      dayOfWeek: dayOfWeek.length ? dayOfWeek.map((d) => DAYS_OF_WEEK[d]) : '*',
    };
  });
  return { spec, overlap: s.overlap };
}

/** Expands Temporal's ranges back into the lists the API takes (bounded: at most 60 values). */
function expand<T>(ranges: Range<T>[], index: (v: T) => number): number[] {
  const out: number[] = [];
  for (const r of ranges) {
    const end = r.end === undefined ? index(r.start) : index(r.end);
    for (let v = index(r.start); v <= end && out.length < 60; v += r.step || 1) out.push(v);
  }
  return out;
}

export interface AuditCalendar {
  minute: number[];
  hour: number[];
  /** Empty: every day, month or weekday. */
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
}

/** The schedule as Temporal has it, in the API's terms. */
export function fromScheduleDescription(d: ScheduleDescription) {
  const all = (field: CalendarField, list: number[]) =>
    list.length === FIELDS[field].max - FIELDS[field].min + 1 ? [] : list;
  const calendars = (d.spec.calendars ?? []).map((c: CalendarSpecDescription): AuditCalendar => ({
    minute: expand(c.minute, Number),
    hour: expand(c.hour, Number),
    dayOfMonth: all('dayOfMonth', expand(c.dayOfMonth, Number)),
    month: all(
      'month',
      expand(c.month, (m) => MONTHS.indexOf(m) + 1),
    ),
    dayOfWeek: all(
      'dayOfWeek',
      expand(c.dayOfWeek, (w) => DAYS_OF_WEEK.indexOf(w)),
    ),
  }));
  const interval = d.spec.intervals?.[0];
  return {
    paused: d.state.paused,
    note: d.state.note ?? null,
    intervalSeconds: interval ? Math.round(Number(interval.every) / 1000) : null,
    intervalOffsetSeconds: interval?.offset ? Math.round(Number(interval.offset) / 1000) : null,
    calendars,
    timeZone: d.spec.timezone ?? 'UTC',
    jitterSeconds: d.spec.jitter ? Math.round(Number(d.spec.jitter) / 1000) : 0,
    overlap: d.policies.overlap as AuditOverlap,
    nextRunTimes: d.info.nextActionTimes,
    runCount: d.info.numActionsTaken,
    recentRuns: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt,
      takenAt: a.takenAt,
      workflowId: a.action.workflow.workflowId,
    })),
  };
}
export type AuditScheduleState = ReturnType<typeof fromScheduleDescription>;
