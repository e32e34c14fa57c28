import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType('AuditEntry', { description: 'Who changed what, and when.' })
export class AuditEntryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: '`user`, `api_key` or `system`.' })
  actorType!: string;

  @Field(() => String, { nullable: true })
  actorId!: string | null;

  @Field(() => String, { description: 'e.g. `member.add`, `api_key.revoke`, `domain.remove`.' })
  action!: string;

  @Field(() => String)
  targetType!: string;

  @Field(() => String, { nullable: true })
  targetId!: string | null;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}
