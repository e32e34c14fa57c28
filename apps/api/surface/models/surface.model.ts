import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export const AttackKindEnum = { DIRECT: 'direct', TRANSITIVE: 'transitive' } as const;
registerEnumType(AttackKindEnum, {
  name: 'AttackKind',
  valuesMap: {
    DIRECT: { description: 'One firewall rule lets it in.' },
    TRANSITIVE: { description: 'It gets in only through a chain of other VMs.' },
  },
});

@ObjectType('SurfaceAttacker')
export class SurfaceAttackerModel {
  @Field(() => String)
  vmId!: string;

  @Field(() => AttackKindEnum)
  kind!: string;
}

@ObjectType('ExposedVm')
export class ExposedVmModel {
  @Field(() => String)
  vmId!: string;

  @Field(() => Int)
  directAttackers!: number;

  @Field(() => Int)
  transitiveAttackers!: number;
}

@ObjectType('SurfaceStats', {
  description: 'An environment now, and its query traffic over a range.',
})
export class SurfaceStatsModel {
  @Field(() => String)
  environment!: string;

  @Field(() => Int, { nullable: true, description: 'Version answering queries now.' })
  version!: number | null;

  @Field(() => Int, { nullable: true })
  vmCount!: number | null;

  @Field(() => Int)
  requestCount!: number;

  @Field(() => Float, { nullable: true })
  averageRequestMs!: number | null;

  @Field(() => GraphQLISODateTime)
  from!: Date;

  @Field(() => GraphQLISODateTime)
  to!: Date;

  @Field(() => ID)
  environmentId!: string;
}
