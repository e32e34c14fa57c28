import { Field, InputType, Int, registerEnumType } from '@nestjs/graphql';

export const AuditOverlapEnum = {
  SKIP: 'SKIP',
  BUFFER_ONE: 'BUFFER_ONE',
  BUFFER_ALL: 'BUFFER_ALL',
  CANCEL_OTHER: 'CANCEL_OTHER',
  TERMINATE_OTHER: 'TERMINATE_OTHER',
  ALLOW_ALL: 'ALLOW_ALL',
} as const;
export type AuditOverlap = keyof typeof AuditOverlapEnum;
registerEnumType(AuditOverlapEnum, {
  name: 'AuditOverlapPolicy',
  description: 'What happens when a run is due while the previous one still runs.',
  valuesMap: {
    SKIP: { description: 'Skip the new run (the default).' },
    BUFFER_ONE: { description: 'Start it when the running one ends; buffer at most one.' },
    BUFFER_ALL: { description: 'Start every due run, one after another.' },
    CANCEL_OTHER: { description: 'Cancel the running one, then start.' },
    TERMINATE_OTHER: { description: 'Terminate the running one, then start.' },
    ALLOW_ALL: { description: 'Run them side by side.' },
  },
});

@InputType('AuditCalendarInput', {
  description:
    'Calendar times (like a cron line, as lists): an omitted minute or hour means 0; an omitted day, month or weekday means every one.',
})
export class AuditCalendarInput {
  @Field(() => [Int], { nullable: true, description: '0–59' })
  minute?: number[] | null;

  @Field(() => [Int], { nullable: true, description: '0–23' })
  hour?: number[] | null;

  @Field(() => [Int], { nullable: true, description: '1–31' })
  dayOfMonth?: number[] | null;

  @Field(() => [Int], { nullable: true, description: '1–12' })
  month?: number[] | null;

  @Field(() => [Int], { nullable: true, description: '0–6, Sunday is 0' })
  dayOfWeek?: number[] | null;
}

@InputType('AuditScheduleInput', {
  description: 'When an audit runs: an interval, calendar times, or both (their union).',
})
export class AuditScheduleInput {
  @Field(() => Int, { nullable: true, description: 'Run every this many seconds.' })
  intervalSeconds?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Shift interval runs by this many seconds (e.g. every day at 02:00 UTC).',
  })
  intervalOffsetSeconds?: number | null;

  @Field(() => [AuditCalendarInput], { nullable: true })
  calendars?: AuditCalendarInput[] | null;

  @Field(() => String, {
    defaultValue: 'UTC',
    description: 'IANA time zone of calendar times, e.g. Europe/Paris.',
  })
  timeZone!: string;

  @Field(() => Int, {
    defaultValue: 0,
    description: 'Delay each run by up to this many seconds, at random.',
  })
  jitterSeconds!: number;

  @Field(() => AuditOverlapEnum, { defaultValue: 'SKIP' })
  overlap!: AuditOverlap;
}
