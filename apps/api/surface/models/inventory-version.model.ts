import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export const InventoryStatusEnum = {
  IMPORTING: 'importing',
  READY: 'ready',
  INVALID: 'invalid',
  FAILED: 'failed',
} as const;
registerEnumType(InventoryStatusEnum, { name: 'InventoryStatus' });

@ObjectType('InventoryProblem', { description: 'One thing wrong with an uploaded inventory.' })
export class InventoryProblemModel {
  @Field(() => String, { description: 'Where, e.g. `vms[12].vm_id`.' })
  path!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('InventoryVersion', { description: 'One import of a cloud environment inventory.' })
export class InventoryVersionModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String)
  environment!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => InventoryStatusEnum)
  status!: string;

  @Field(() => String, { description: 'Temporal workflow ID of the import.' })
  workflowId!: string;

  @Field(() => Int, { nullable: true })
  vmCount!: number | null;

  @Field(() => Int, { nullable: true })
  ruleCount!: number | null;

  @Field(() => [InventoryProblemModel], {
    nullable: true,
    description: 'Why an INVALID inventory was refused; nothing of it was imported.',
  })
  problems!: InventoryProblemModel[] | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}
