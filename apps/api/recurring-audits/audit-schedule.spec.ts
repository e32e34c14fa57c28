import type { ScheduleDescription } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  fromScheduleDescription,
  toScheduleSpec,
  type AuditScheduleFields,
} from './audit-schedule';

const base: AuditScheduleFields = { timeZone: 'UTC', jitterSeconds: 0, overlap: 'SKIP' };
const MIN = 300;

describe('toScheduleSpec', () => {
  it('turns an interval with offset and jitter into milliseconds', () => {
    const { spec, overlap } = toScheduleSpec(
      { ...base, intervalSeconds: 86_400, intervalOffsetSeconds: 7200, jitterSeconds: 60 },
      MIN,
    );
    expect(spec).toEqual({
      timezone: 'UTC',
      jitter: 60_000,
      intervals: [{ every: 86_400_000, offset: 7_200_000 }],
      calendars: [],
    });
    expect(overlap).toBe('SKIP');
  });

  it('turns calendar lists into Temporal calendars, with names for months and weekdays', () => {
    const { spec } = toScheduleSpec(
      {
        ...base,
        timeZone: 'Europe/Paris',
        calendars: [{ minute: [30], hour: [2], dayOfWeek: [1, 5, 1], month: [1, 12] }],
      },
      MIN,
    );
    expect(spec.timezone).toBe('Europe/Paris');
    expect(spec.calendars).toEqual([
      {
        minute: [30],
        hour: [2],
        dayOfMonth: '*',
        month: ['JANUARY', 'DECEMBER'],
        dayOfWeek: ['MONDAY', 'FRIDAY'],
      },
    ]);
  });

  it.each([
    [{}, /intervalSeconds or calendars/],
    [{ intervalSeconds: 60 }, /intervalSeconds: between 300/],
    [{ intervalSeconds: 400 * 86_400 }, /intervalSeconds: between/],
    [{ intervalSeconds: 3600, intervalOffsetSeconds: 3600 }, /intervalOffsetSeconds/],
    [{ intervalOffsetSeconds: 10, calendars: [{ hour: [1] }] }, /needs intervalSeconds/],
    [{ intervalSeconds: 3600, timeZone: 'Mars/Olympus' }, /timeZone: not an IANA/],
    [{ intervalSeconds: 3600, timeZone: '../../etc/passwd' }, /timeZone/],
    [{ intervalSeconds: 3600, jitterSeconds: -1 }, /jitterSeconds/],
    [{ calendars: [{ minute: [60] }] }, /minute: 60 is not in 0–59/],
    [{ calendars: [{ month: [0] }] }, /month: 0 is not in 1–12/],
    [{ calendars: [{ dayOfWeek: [7] }] }, /dayOfWeek: 7/],
    [{ calendars: [{ hour: [] }] }, /hour: empty list/],
    [{ calendars: Array.from({ length: 11 }, () => ({ hour: [1] })) }, /at most 10/],
    // Every minute of every hour: 1440 runs a day, far more often than every 300 s.
    [
      {
        calendars: [
          {
            minute: Array.from({ length: 60 }, (_, i) => i),
            hour: Array.from({ length: 24 }, (_, i) => i),
          },
        ],
      },
      /1440 runs a day/,
    ],
  ] as Array<[Partial<AuditScheduleFields>, RegExp]>)('refuses %j', (input, message) => {
    expect(() => toScheduleSpec({ ...base, ...input }, MIN)).toThrow(message);
  });
});

describe('fromScheduleDescription', () => {
  it('reads Temporal ranges back as lists; "every" becomes an empty list', () => {
    const description = {
      spec: {
        timezone: 'Europe/Paris',
        jitter: 30_000,
        intervals: [{ every: 3_600_000, offset: 0 }],
        calendars: [
          {
            second: [{ start: 0, end: 0, step: 1 }],
            minute: [{ start: 0, end: 30, step: 15 }],
            hour: [{ start: 2, end: 2, step: 1 }],
            dayOfMonth: [{ start: 1, end: 31, step: 1 }],
            month: [{ start: 'JANUARY', end: 'DECEMBER', step: 1 }],
            year: [],
            dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }],
          },
        ],
      },
      policies: { overlap: 'BUFFER_ONE' },
      state: { paused: true, note: 'holiday' },
      info: { nextActionTimes: [], numActionsTaken: 3, recentActions: [] },
    } as unknown as ScheduleDescription;
    expect(fromScheduleDescription(description)).toMatchObject({
      paused: true,
      note: 'holiday',
      intervalSeconds: 3600,
      intervalOffsetSeconds: null,
      timeZone: 'Europe/Paris',
      jitterSeconds: 30,
      overlap: 'BUFFER_ONE',
      runCount: 3,
      calendars: [
        { minute: [0, 15, 30], hour: [2], dayOfMonth: [], month: [], dayOfWeek: [1, 2, 3, 4, 5] },
      ],
    });
  });
});
