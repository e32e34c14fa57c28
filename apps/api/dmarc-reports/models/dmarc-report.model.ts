import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '../../common/relay-connection';

export const DmarcUploadStatusEnum = {
  PENDING: 'pending',
  DONE: 'done',
  FAILED: 'failed',
} as const;
registerEnumType(DmarcUploadStatusEnum, { name: 'DmarcUploadStatus' });

export const DmarcSourceFilterEnum = {
  ALL: 'all',
  FAILING: 'failing',
  DKIM_ONLY: 'dkimOnly',
  SPF_ONLY: 'spfOnly',
  UNKNOWN_SENDER: 'unknownSender',
} as const;
registerEnumType(DmarcSourceFilterEnum, {
  name: 'DmarcSourceFilter',
  description:
    'ALL: every source; FAILING: messages failing DMARC; DKIM_ONLY: aligned by DKIM but not SPF; SPF_ONLY: the reverse; UNKNOWN_SENDER: not in the catalogue of known senders.',
});

@ObjectType('DmarcProblem')
export class DmarcProblemModel {
  @Field(() => String, { description: 'XML_DTD_REFUSED, DECOMPRESSED_TOO_LARGE, NOT_A_REPORT, …' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('DmarcUploadPart', { description: 'One report (XML document) found in an upload.' })
export class DmarcUploadPartModel {
  @Field(() => String, { description: 'Where in the upload, e.g. `r.zip!report.xml`.' })
  part!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The stored report (the earlier one for a duplicate).',
  })
  reportId?: string;

  @Field(() => String, { nullable: true })
  reporter?: string;

  @Field(() => String, { nullable: true, description: "The reporter's own report id." })
  reporterReportId?: string;

  @Field(() => String, { nullable: true })
  domain?: string;

  @Field(() => Boolean, { nullable: true, description: 'Already stored before: nothing written.' })
  duplicate?: boolean;

  @Field(() => Int, { nullable: true })
  recordCount?: number;

  @Field(() => Int, { nullable: true })
  warningCount?: number;

  @Field(() => DmarcProblemModel, { nullable: true })
  error?: DmarcProblemModel;
}

@ObjectType('DmarcReportUpload', {
  description: 'Bytes received from one source, and what became of them.',
})
export class DmarcReportUploadModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String, { description: 'upload, imap or bucket.' })
  source!: string;

  @Field(() => String, { description: 'File name, message id or object key.' })
  sourceRef!: string;

  @Field(() => Float)
  sizeBytes!: number;

  @Field(() => String)
  sha256!: string;

  @Field(() => DmarcUploadStatusEnum)
  status!: string;

  @Field(() => String, { description: 'Temporal workflow ID of the ingest.' })
  workflowId!: string;

  @Field(() => [DmarcUploadPartModel], { nullable: true })
  parts!: DmarcUploadPartModel[] | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType('DmarcReport', { description: 'One aggregate report, as its reporter sent it.' })
export class DmarcReportModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String, { description: '<org_name>.' })
  reporter!: string;

  @Field(() => String, { description: "The reporter's <report_id>." })
  reportId!: string;

  @Field(() => String, { nullable: true })
  reporterEmail!: string | null;

  @Field(() => String, { nullable: true })
  extraContactInfo!: string | null;

  @Field(() => String, { description: 'rfc7489, draft or rfc9990.' })
  schema!: string;

  @Field(() => String, { nullable: true })
  version!: string | null;

  @Field(() => Boolean, { description: 'Declared the RFC 9990 namespace.' })
  namespaced!: boolean;

  @Field(() => String, { nullable: true })
  generator!: string | null;

  @Field(() => String)
  domain!: string;

  @Field(() => GraphQLISODateTime)
  beginAt!: Date;

  @Field(() => GraphQLISODateTime)
  endAt!: Date;

  @Field(() => GraphQLJSONObject, {
    description:
      'policy_published: domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod.',
  })
  policy!: Record<string, unknown>;

  @Field(() => [String], { description: "The reporter's own <error> elements." })
  reporterErrors!: string[];

  @Field(() => [String], { description: 'What the parser repaired or skipped.' })
  warnings!: string[];

  @Field(() => Int)
  recordCount!: number;

  @Field(() => Float)
  messageCount!: number;

  @Field(() => GraphQLISODateTime)
  receivedAt!: Date;
}

@ObjectType()
export class DmarcReportConnection extends connectionType(DmarcReportModel, 'DmarcReport') {}

@ObjectType('DmarcRecord', {
  description: 'One row of a report: a source address and what happened to its mail.',
})
export class DmarcRecordModel {
  @Field(() => String)
  sourceIp!: string;

  @Field(() => Int)
  messageCount!: number;

  @Field(() => String)
  disposition!: string;

  @Field(() => Boolean, { description: 'policy_evaluated dkim = pass (aligned).' })
  dkimAligned!: boolean;

  @Field(() => Boolean, { description: 'policy_evaluated spf = pass (aligned).' })
  spfAligned!: boolean;

  @Field(() => Boolean, { description: 'Some DKIM signature verified (aligned or not).' })
  dkimPass!: boolean;

  @Field(() => Boolean, { description: 'SPF passed for some domain (aligned or not).' })
  spfPass!: boolean;

  @Field(() => String, { nullable: true })
  headerFrom!: string | null;

  @Field(() => String, { nullable: true })
  envelopeFrom!: string | null;

  @Field(() => String, { nullable: true })
  envelopeTo!: string | null;

  @Field(() => [GraphQLJSONObject], { description: 'Policy override reasons: {type, comment}.' })
  reasons!: Array<Record<string, unknown>>;

  @Field(() => [GraphQLJSONObject], { description: '{domain, selector, result, humanResult}.' })
  dkimResults!: Array<Record<string, unknown>>;

  @Field(() => [GraphQLJSONObject], { description: '{domain, scope, result, humanResult}.' })
  spfResults!: Array<Record<string, unknown>>;

  @Field(() => String, { nullable: true, description: 'Reverse DNS of the source.' })
  ptr!: string | null;

  @Field(() => String, { nullable: true, description: 'Known sender, from the catalogue.' })
  sender!: string | null;
}

@ObjectType()
export class DmarcRecordConnection extends connectionType(DmarcRecordModel, 'DmarcRecord') {}

@ObjectType('DmarcSource', {
  description: 'A source address of mail in the domain’s name over a period.',
})
export class DmarcSourceModel {
  @Field(() => String)
  sourceIp!: string;

  @Field(() => String, { nullable: true, description: 'Reverse DNS name.' })
  ptr!: string | null;

  @Field(() => String, { nullable: true, description: 'Registrable domain of the PTR name.' })
  baseDomain!: string | null;

  @Field(() => String, { nullable: true, description: 'Known sender (catalogue), e.g. "Google".' })
  sender!: string | null;

  @Field(() => String, { nullable: true })
  senderCategory!: string | null;

  @Field(() => Boolean, { description: 'The sender is in the catalogue of known senders.' })
  knownSender!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'From the local IP database, when configured.',
  })
  country!: string | null;

  @Field(() => Float, { nullable: true })
  asn!: number | null;

  @Field(() => String, { nullable: true })
  asName!: string | null;

  @Field(() => Float)
  messageCount!: number;

  @Field(() => Float)
  dmarcPassCount!: number;

  @Field(() => Float)
  dkimAlignedCount!: number;

  @Field(() => Float)
  spfAlignedCount!: number;

  @Field(() => Float)
  dkimPassCount!: number;

  @Field(() => Float)
  spfPassCount!: number;

  @Field(() => Float, { description: 'Messages matching the filter (what the list is sorted by).' })
  matchingCount!: number;
}

@ObjectType()
export class DmarcSourceConnection extends connectionType(DmarcSourceModel, 'DmarcSource') {}

@ObjectType('DmarcDay')
export class DmarcDayModel {
  @Field(() => String, { description: 'YYYY-MM-DD (UTC), the day the report period begins.' })
  day!: string;

  @Field(() => Float)
  messageCount!: number;

  @Field(() => Float)
  dmarcPassCount!: number;
}

@ObjectType('DmarcDisposition')
export class DmarcDispositionModel {
  @Field(() => String, { description: 'none, quarantine or reject.' })
  disposition!: string;

  @Field(() => Float)
  messageCount!: number;
}

@ObjectType('DmarcReporterVolume')
export class DmarcReporterVolumeModel {
  @Field(() => String)
  reporter!: string;

  @Field(() => Int)
  reportCount!: number;

  @Field(() => Float)
  messageCount!: number;

  @Field(() => Float)
  dmarcPassCount!: number;
}

@ObjectType('DmarcSummary', {
  description:
    'A domain’s mail over a period, from the aggregate reports (rates are 0-1, message-weighted; null without mail).',
})
export class DmarcSummaryModel {
  @Field(() => String)
  domain!: string;

  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;

  @Field(() => Float)
  messageCount!: number;

  @Field(() => Int)
  reportCount!: number;

  @Field(() => Int)
  reporterCount!: number;

  @Field(() => Int)
  sourceCount!: number;

  @Field(() => Float, { nullable: true, description: 'Aligned DKIM or aligned SPF.' })
  dmarcPassRate!: number | null;

  @Field(() => Float, { nullable: true })
  dkimAlignedRate!: number | null;

  @Field(() => Float, { nullable: true })
  spfAlignedRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'DKIM verified, aligned or not.' })
  dkimPassRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'SPF passed, aligned or not.' })
  spfPassRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of mail from senders in the catalogue.',
  })
  knownSenderRate!: number | null;

  @Field(() => [DmarcDispositionModel])
  dispositions!: DmarcDispositionModel[];

  @Field(() => [DmarcDayModel], { description: 'Volume per day, days without reports left out.' })
  volumeByDay!: DmarcDayModel[];

  @Field(() => [DmarcReporterVolumeModel])
  reporters!: DmarcReporterVolumeModel[];
}
