import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import type { ScanKind, ScanStatus } from '../../../../libs/contracts';
import { connectionType } from '../../common/relay-connection';
import { ScanKindEnum, ScanStatusEnum } from './scan-enums';

@ObjectType('Scan')
export class ScanModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ScanKindEnum)
  kind!: ScanKind;

  @Field(() => String, { description: 'What is scanned; for a domain its ASCII (punycode) form.' })
  target!: string;

  @Field(() => ID, { nullable: true, description: 'The domain membership scanned, if it remains.' })
  domainId!: string | null;

  @Field(() => [String], { nullable: true, description: 'The scanners asked for.' })
  scanners!: string[] | null;

  @Field(() => ScanStatusEnum)
  status!: ScanStatus;

  @Field(() => String, {
    description: 'Temporal workflow ID, to find the scan in the Temporal UI.',
  })
  workflowId!: string;

  @Field(() => GraphQLISODateTime)
  requestedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType()
export class ScanConnection extends connectionType(ScanModel, 'Scan') {}
