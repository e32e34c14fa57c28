import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ScanStatus } from '../../../../libs/contracts';
import { ScanStatusEnum } from '../../scans/models/scan-enums';

@ObjectType('OrganisationScanProgress', {
  description: "Counts of the organisation scan's child domain scans.",
})
export class OrganisationScanProgressModel {
  @Field(() => Int, { description: 'Domains to scan.' })
  total!: number;

  @Field(() => Int, { description: 'Not started yet.' })
  pending!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Int, { description: 'Finished (some scanners may have failed).' })
  done!: number;

  @Field(() => Int, { description: 'Failed or cancelled.' })
  failed!: number;
}

@ObjectType('OrganisationScan', {
  description: 'A scan of every domain of an organisation: one child domain scan per domain.',
})
export class OrganisationScanModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => ScanStatusEnum)
  status!: ScanStatus;

  @Field(() => String, { description: 'Temporal workflow ID of the parent workflow.' })
  workflowId!: string;

  @Field(() => [String])
  scanners!: string[];

  @Field(() => Int, { description: 'Child scans run at once.' })
  concurrency!: number;

  @Field(() => ID, { nullable: true, description: 'The recurring audit that started it.' })
  recurringAuditId!: string | null;

  @Field(() => GraphQLISODateTime)
  requestedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
