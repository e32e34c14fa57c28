import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import type { ResultStatus, ScannerState } from '../../../../libs/contracts';
import { ResultStatusEnum, ScannerStateEnum } from './scan-enums';

@ObjectType('ScannerProgress', {
  description: "One scanner's state within a scan, and its timing.",
})
export class ScannerProgressModel {
  @Field(() => String)
  scanner!: string;

  @Field(() => ScannerStateEnum)
  state!: ScannerState;

  @Field(() => ResultStatusEnum, { nullable: true })
  resultStatus?: ResultStatus;

  @Field(() => String, { nullable: true })
  error?: string;

  @Field(() => Int, { nullable: true, description: 'Activity attempt (1 is the first).' })
  attempt?: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When its first attempt began.' })
  startedAt?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Float, { nullable: true, description: 'finishedAt − startedAt, in milliseconds.' })
  durationMs?: number | null;
}
