import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '../../common/relay-connection';

export enum InfectedActionEnum {
  NONE = 'none',
  QUARANTINE = 'quarantine',
  DELETE = 'delete',
}
registerEnumType(InfectedActionEnum, {
  name: 'InfectedAction',
  description: 'What happens to an INFECTED object (ERROR and SKIPPED never delete).',
});

export enum BucketVerdictEnum {
  CLEAN = 'CLEAN',
  INFECTED = 'INFECTED',
  SKIPPED = 'SKIPPED',
  ERROR = 'ERROR',
}
registerEnumType(BucketVerdictEnum, { name: 'BucketVerdict' });

export enum SweepStatusEnum {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
}
registerEnumType(SweepStatusEnum, { name: 'BucketSweepStatus' });

@InputType('BucketSettingsInput')
export class BucketSettingsInput {
  @Field({ defaultValue: true, description: 'Scan objects when the server notifies an upload.' })
  scanOnUpload!: boolean;

  @Field({
    defaultValue: true,
    description: 'Tag objects: scan-status, scan-signature, scan-timestamp, scan-engine-version.',
  })
  tagObjects!: boolean;

  @Field(() => InfectedActionEnum, { defaultValue: InfectedActionEnum.NONE })
  infectedAction!: InfectedActionEnum;

  @Field(() => String, {
    nullable: true,
    description: 'Where QUARANTINE moves infected objects (key `<bucket>/<key>`).',
  })
  quarantineBucket?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Objects larger than this are SKIPPED (default BUCKET_SCAN_MAX_BYTES).',
  })
  maxObjectBytes?: number | null;

  @Field(() => String, { nullable: true, description: 'http(s) URL that receives verdicts.' })
  webhookUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'HMAC-SHA256 key for X-Perimeter-Signature (at least 16 characters).',
  })
  webhookSecret?: string | null;

  @Field({ defaultValue: false, description: 'Also send CLEAN verdicts to the webhook.' })
  notifyClean!: boolean;
}

@InputType('BucketSweepFilters')
export class SweepFiltersInput {
  @Field(() => [String], { defaultValue: [], description: 'Key endings, e.g. [".zip", ".exe"].' })
  suffixes!: string[];

  @Field(() => Float, { nullable: true })
  minSize?: number | null;

  @Field(() => Float, { nullable: true })
  maxSize?: number | null;
}

@ObjectType('Bucket', { description: 'An S3 bucket Perimeter scans for malware.' })
export class BucketModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organisationId!: string;
  @Field() name!: string;
  @Field() scanOnUpload!: boolean;
  @Field() tagObjects!: boolean;
  @Field(() => InfectedActionEnum) infectedAction!: InfectedActionEnum;
  @Field(() => String, { nullable: true }) quarantineBucket!: string | null;
  @Field(() => Float) maxObjectBytes!: number;
  @Field(() => String, { nullable: true }) webhookUrl!: string | null;
  @Field({ description: 'The webhook secret itself is never returned.' })
  webhookSecretSet!: boolean;
  @Field() notifyClean!: boolean;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('BucketSweepSummary')
export class SweepSummaryModel {
  @Field(() => Int) clean!: number;
  @Field(() => Int) infected!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) errors!: number;
}

@ObjectType('BucketSweep', { description: 'A scan of what a bucket already holds.' })
export class BucketSweepModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) bucketId!: string;
  @Field(() => SweepStatusEnum) status!: SweepStatusEnum;
  @Field() prefix!: string;
  @Field(() => GraphQLJSONObject) filters!: Record<string, unknown>;
  @Field() force!: boolean;
  @Field() workflowId!: string;
  @Field(() => Int, { description: 'Objects listed that match the filters.' }) listed!: number;
  @Field(() => Int, {
    description: 'Listed objects skipped: already scanned with the current signatures.',
  })
  alreadyScanned!: number;
  @Field(() => SweepSummaryModel, {
    description: 'Verdicts of the objects this sweep scanned (live while it runs).',
  })
  summary!: SweepSummaryModel;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLISODateTime) requestedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('BucketObjectResult', { description: 'The verdict for one object version.' })
export class ObjectResultModel {
  @Field(() => ID) id!: string;
  @Field() key!: string;
  @Field({ description: 'The S3 version id, or `etag:<etag>` on unversioned buckets.' })
  objectVersion!: string;
  @Field(() => String, { nullable: true }) etag!: string | null;
  @Field(() => Float, { nullable: true }) size!: number | null;
  @Field(() => BucketVerdictEnum) verdict!: BucketVerdictEnum;
  @Field(() => [String]) signatures!: string[];
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) engineVersion!: string | null;
  @Field(() => Int, { nullable: true }) databaseVersion!: number | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) databaseTime!: Date | null;
  @Field(() => GraphQLISODateTime) scannedAt!: Date;
  @Field(() => Int, { description: 'How often clamd was asked about this version.' })
  scanCount!: number;
  @Field(() => ID, { nullable: true }) sweepId!: string | null;
  @Field(() => GraphQLJSONObject, {
    description: 'What was done: tagged, quarantinedTo, deleted, webhook.',
  })
  actions!: Record<string, unknown>;
}

@ObjectType()
export class BucketObjectResultConnection extends connectionType(
  ObjectResultModel,
  'BucketObjectResult',
) {}
