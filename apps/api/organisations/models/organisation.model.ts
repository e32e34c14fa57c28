import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Organisation')
export class OrganisationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Its own cap on page sizes; null: the configured GRAPHQL_MAX_PAGE_SIZE.',
  })
  maxPageSize!: number | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
