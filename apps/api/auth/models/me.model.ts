import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { Role } from '../../../../libs/auth/roles';
import { RoleEnum } from './role.enum';
import { UserModel } from './user.model';

@ObjectType('MyMembership')
export class MyMembershipModel {
  @Field(() => ID)
  organisationId!: string;

  @Field(() => RoleEnum)
  role!: Role;
}

@ObjectType('Me', { description: 'Who the request is authenticated as.' })
export class MeModel {
  @Field(() => UserModel, { nullable: true, description: 'Set when a person signed in.' })
  user!: UserModel | null;

  @Field(() => ID, { nullable: true, description: 'Set when an API key authenticated.' })
  apiKeyId!: string | null;

  @Field(() => [MyMembershipModel])
  memberships!: MyMembershipModel[];
}
