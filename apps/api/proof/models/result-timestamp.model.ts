import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';

export const TimestampStateEnum = {
  TIMESTAMPED: 'TIMESTAMPED',
  NOT_YET_TIMESTAMPED: 'NOT_YET_TIMESTAMPED',
} as const;
registerEnumType(TimestampStateEnum, {
  name: 'TimestampState',
  valuesMap: {
    TIMESTAMPED: {
      description: 'A checked RFC 3161 token is stored; `verifyResult` re-checks it.',
    },
    NOT_YET_TIMESTAMPED: { description: 'The TSA is being asked (retried with back-off).' },
  },
});

@ObjectType('ResultTimestamp', { description: "A result's RFC 3161 time-stamp, as stored." })
export class ResultTimestampModel {
  @Field(() => TimestampStateEnum)
  state!: keyof typeof TimestampStateEnum;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'The TSA time (genTime).' })
  genTime!: Date | null;

  @Field(() => String, { nullable: true, description: 'The configured TSA that issued it.' })
  tsa!: string | null;
}
