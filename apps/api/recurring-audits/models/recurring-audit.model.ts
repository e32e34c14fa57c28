import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AuditTargetKind } from '../../../../libs/contracts';
import { AuditOverlapEnum, type AuditOverlap } from './audit-schedule.input';

export const AuditTargetEnum = { DOMAIN: 'domain', ORGANISATION: 'organisation' } as const;
registerEnumType(AuditTargetEnum, { name: 'AuditTarget' });

@ObjectType('AuditCalendar')
export class AuditCalendarModel {
  @Field(() => [Int])
  minute!: number[];

  @Field(() => [Int])
  hour!: number[];

  @Field(() => [Int], { description: 'Empty: every day of the month.' })
  dayOfMonth!: number[];

  @Field(() => [Int], { description: 'Empty: every month.' })
  month!: number[];

  @Field(() => [Int], { description: 'Empty: every day of the week (Sunday is 0).' })
  dayOfWeek!: number[];
}

@ObjectType('AuditRun', { description: 'A run the schedule started.' })
export class AuditRunModel {
  @Field(() => GraphQLISODateTime)
  scheduledAt!: Date;

  @Field(() => GraphQLISODateTime)
  takenAt!: Date;

  @Field(() => String)
  workflowId!: string;
}

@ObjectType('AuditSchedule', { description: "The audit's Temporal Schedule, as Temporal has it." })
export class AuditScheduleModel {
  @Field(() => Boolean)
  paused!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was paused or resumed.' })
  note!: string | null;

  @Field(() => Int, { nullable: true })
  intervalSeconds!: number | null;

  @Field(() => Int, { nullable: true })
  intervalOffsetSeconds!: number | null;

  @Field(() => [AuditCalendarModel])
  calendars!: AuditCalendarModel[];

  @Field(() => String)
  timeZone!: string;

  @Field(() => Int)
  jitterSeconds!: number;

  @Field(() => AuditOverlapEnum)
  overlap!: AuditOverlap;

  @Field(() => [GraphQLISODateTime])
  nextRunTimes!: Date[];

  @Field(() => Int, { description: 'Runs started so far.' })
  runCount!: number;

  @Field(() => [AuditRunModel], { description: 'The latest runs (Temporal keeps the last ten).' })
  recentRuns!: AuditRunModel[];
}

@ObjectType('RecurringAudit', {
  description: 'A scan of a domain or of a whole organisation, repeated by a Temporal Schedule.',
})
export class RecurringAuditModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => AuditTargetEnum)
  targetKind!: AuditTargetKind;

  @Field(() => String, {
    nullable: true,
    description: "The domain's ASCII name, for a domain audit.",
  })
  domainName!: string | null;

  @Field(() => Boolean, {
    description:
      'False when the audited domain was removed from the organisation: its runs scan nothing; delete the audit.',
  })
  domainPresent!: boolean;

  @Field(() => [String])
  scanners!: string[];

  @Field(() => String, { description: 'Temporal Schedule ID: organisation + target + name.' })
  scheduleId!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
