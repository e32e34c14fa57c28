import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import type { Role } from '../../../../libs/auth/roles';
import { RoleEnum } from '../../auth/models/role.enum';

@ObjectType('ApiKey', {
  description: 'A machine credential. Its secret is shown once, at creation.',
})
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, {
    description: 'The public part of the key, to recognise it: `pmk_<prefix>_…`.',
  })
  prefix!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey!: ApiKeyModel;

  @Field(() => String, { description: 'The key itself. Store it now: it cannot be shown again.' })
  token!: string;
}
