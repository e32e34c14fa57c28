import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ProbeResultModel } from '../../probes/models/probe-result.model';
import { ResultKindEnum, ResultProofModel } from './result-proof.model';

export const ResultEventTypeEnum = {
  PROBE_RESULT_RECEIVED: 'probe-result',
  RESULT_TIMESTAMPED: 'timestamped',
} as const;
registerEnumType(ResultEventTypeEnum, { name: 'ResultEventType' });

@ObjectType('ResultEvent', {
  description: 'A result received from a probe, or a token stored for a scan or probe result.',
})
export class ResultEventModel {
  @Field(() => ResultEventTypeEnum)
  type!: string;

  @Field(() => ID)
  resultId!: string;

  @Field(() => ResultKindEnum)
  resultKind!: string;

  @Field(() => ProbeResultModel, { nullable: true, description: 'For probe results.' })
  probeResult!: ProbeResultModel | null;

  @Field(() => ResultProofModel, {
    nullable: true,
    description: 'For RESULT_TIMESTAMPED: the checked token (with `tokenBase64`).',
  })
  proof!: ResultProofModel | null;
}
