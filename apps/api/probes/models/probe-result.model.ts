import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';

@ObjectType('ProbeResult', {
  description:
    'A standard result received from a probe, stored and time-stamped like a scan result.',
})
export class ProbeResultModel {
  @Field(() => ID, { description: "Perimeter's id: give it to `verifyResult`." })
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => ID)
  probeId!: string;

  @Field(() => String)
  probeName!: string;

  @Field(() => ID, { description: "`meta.uuid`: the probe's own id for the result." })
  uuid!: string;

  @Field(() => String, { description: '`meta.type`.' })
  type!: string;

  @Field(() => GraphQLISODateTime, { description: '`meta.ts`: when the probe took it.' })
  ts!: Date;

  @Field(() => String)
  format!: string;

  @Field(() => GraphQLJSON, { description: 'Integer or string, as sent.' })
  version!: unknown;

  @Field(() => GraphQLJSON)
  payload!: unknown;

  @Field(() => GraphQLJSONObject, { description: 'The standard result exactly as stored.' })
  document!: Record<string, unknown>;

  @Field(() => GraphQLISODateTime)
  receivedAt!: Date;
}
