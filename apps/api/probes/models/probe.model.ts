import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Probe', { description: 'An external probe that posts standard results.' })
export class ProbeModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'The scanning tool it wraps.' })
  tool!: string | null;

  @Field(() => GraphQLISODateTime)
  registeredAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'Last heartbeat or result.' })
  lastSeenAt!: Date;

  @Field(() => Boolean, {
    description: 'Seen within PROBE_PRESENCE_SECONDS (300 by default).',
  })
  online!: boolean;
}
