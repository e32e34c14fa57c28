import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';

@ObjectType('SignInResult')
export class SignInModel {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;
}
