import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

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

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
