import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import type { Role } from '../../../../libs/auth/roles';
import { RoleEnum } from '../../auth/models/role.enum';
import { UserModel } from '../../auth/models/user.model';

@ObjectType('Member')
export class MemberModel {
  @Field(() => ID)
  organisationId!: string;

  @Field(() => UserModel)
  user!: UserModel;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
