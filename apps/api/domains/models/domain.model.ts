import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '../../common/relay-connection';

@ObjectType('Domain', { description: "A domain as one organisation's membership." })
export class DomainModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String, { description: 'ASCII (punycode) form.' })
  name!: string;

  @Field(() => String, { description: 'Unicode form, for display.' })
  unicodeName!: string;

  @Field(() => [String], { description: "This membership's labels (lowercase, sorted)." })
  labels!: string[];

  @Field(() => [String], {
    description: 'DKIM selectors its scans try besides the built-in catalogue.',
  })
  dkimSelectors!: string[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class DomainConnection extends connectionType(DomainModel, 'Domain') {}

export const DomainOrderFieldEnum = { NAME: 'name', CREATED_AT: 'createdAt' } as const;
registerEnumType(DomainOrderFieldEnum, { name: 'DomainOrderField' });

@ObjectType('DomainLabel', { description: 'A label in use, and on how many domains.' })
export class DomainLabelModel {
  @Field(() => String)
  label!: string;

  @Field(() => Int)
  domainCount!: number;
}

@ObjectType()
export class DomainLabelConnection extends connectionType(DomainLabelModel, 'DomainLabel') {}
