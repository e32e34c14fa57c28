import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { ResultStatus } from '../../../../libs/contracts';
import { connectionType } from '../../common/relay-connection';
import { FindingModel } from './finding.model';
import { ResultStatusEnum } from './scan-enums';

@ObjectType('ScanResult', { description: "One scanner's outcome within a scan." })
export class ScanResultModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Scanner name, e.g. `dns`.' })
  scanner!: string;

  @Field(() => ResultStatusEnum)
  status!: ResultStatus;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "The scanner's findings." })
  data!: Record<string, unknown> | null;

  @Field(() => [FindingModel], {
    description: 'What the check found (posture checks); empty for inventories and failures.',
  })
  findings!: FindingModel[];

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Int, { description: 'Activity attempt that produced this result.' })
  attempt!: number;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime)
  finishedAt!: Date;
}

@ObjectType()
export class ScanResultConnection extends connectionType(ScanResultModel, 'ScanResult') {}
