import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

export const SeverityEnum = {
  PASS: 'pass',
  INFO: 'info',
  WARNING: 'warning',
  FAIL: 'fail',
} as const;
registerEnumType(SeverityEnum, { name: 'Severity' });

@ObjectType('Finding', { description: 'One thing a check found, pass or problem.' })
export class FindingModel {
  @Field(() => String, { description: 'Stable id, e.g. `spf.too-many-lookups`.' })
  id!: string;

  @Field(() => SeverityEnum)
  severity!: string;

  @Field(() => String, { description: 'The general title of this kind of finding.' })
  title!: string;

  @Field(() => String, { description: 'What was found on this domain.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'How to fix it.' })
  fix!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  evidence!: Record<string, unknown> | null;
}
