import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import {
  ComplianceStatusEnum,
  CriterionGroupEnum,
  CriterionStatusEnum,
  DmarcPhaseEnum,
} from './guidance-enums';

@ObjectType('ComplianceCriterion')
export class ComplianceCriterionModel {
  @Field(() => ID, { description: 'e.g. `mail.dmarc-enforced`, `web.hsts-one-year`.' })
  id!: string;

  @Field(() => CriterionGroupEnum)
  group!: string;

  @Field(() => String)
  title!: string;

  @Field(() => CriterionStatusEnum)
  status!: string;

  @Field(() => String, { description: 'Why, about this domain.' })
  reason!: string;
}

@ObjectType('DomainCompliance', { description: 'A domain’s compliance as one scan showed it.' })
export class DomainComplianceModel {
  @Field(() => ID)
  scanId!: string;

  @Field(() => ID, { nullable: true })
  domainId!: string | null;

  @Field(() => String, { description: 'The guidance catalogue version evaluated.' })
  catalogueVersion!: string;

  @Field(() => Boolean, { description: 'Evaluated with the catalogue this API serves now.' })
  catalogueIsCurrent!: boolean;

  @Field(() => GraphQLISODateTime, { description: 'When the scan ran.' })
  scannedAt!: Date;

  @Field(() => GraphQLISODateTime)
  evaluatedAt!: Date;

  @Field(() => ComplianceStatusEnum, {
    description: 'HTTPS enforced, HSTS ≥ 1 year, TLS 1.2+ only, valid certificate.',
  })
  web!: string;

  @Field(() => ComplianceStatusEnum, {
    description:
      'DMARC quarantine/reject with pct=100, SPF -all/~all within 10 lookups, DKIM ≥ 2048 bits, STARTTLS on every MX.',
  })
  mail!: string;

  @Field(() => DmarcPhaseEnum)
  dmarcPhase!: string;

  @Field(() => [ComplianceCriterionModel])
  criteria!: ComplianceCriterionModel[];

  @Field(() => [String], {
    description: 'Findings the catalogue had no tag for (reported by a newer scanner).',
  })
  uncataloguedFindings!: string[];
}

@ObjectType('ComplianceCounts')
export class ComplianceCountsModel {
  @Field(() => Int)
  compliant!: number;

  @Field(() => Int)
  nonCompliant!: number;

  @Field(() => Int)
  unknown!: number;

  @Field(() => Int, { description: 'Nothing to check (no web site, or no mail, at all).' })
  notApplicable!: number;

  @Field(() => Int, { description: 'Domains never evaluated (not scanned yet).' })
  notEvaluated!: number;

  @Field(() => Float, {
    description: 'Compliant domains as a percentage of all the organisation’s domains (0–100).',
  })
  compliantPercent!: number;

  @Field(() => Float, {
    description: 'Compliant domains as a percentage of the evaluated ones (0–100; 0 when none).',
  })
  compliantPercentOfEvaluated!: number;
}

@ObjectType('DmarcPhaseCount')
export class DmarcPhaseCountModel {
  @Field(() => DmarcPhaseEnum)
  phase!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { description: 'Of all the organisation’s domains (0–100).' })
  percent!: number;
}

@ObjectType('OrganisationCompliance', {
  description: 'Each domain of the organisation as of its newest evaluated scan.',
})
export class OrganisationComplianceModel {
  @Field(() => GraphQLISODateTime, { description: 'The moment the counts describe.' })
  at!: Date;

  @Field(() => Int)
  domainCount!: number;

  @Field(() => Int)
  evaluatedDomainCount!: number;

  @Field(() => ComplianceCountsModel)
  web!: ComplianceCountsModel;

  @Field(() => ComplianceCountsModel)
  mail!: ComplianceCountsModel;

  @Field(() => [DmarcPhaseCountModel])
  dmarcPhases!: DmarcPhaseCountModel[];
}

@ObjectType('DomainComplianceEntry', { description: 'A domain and its newest compliance.' })
export class DomainComplianceEntryModel {
  @Field(() => ID)
  domainId!: string;

  @Field(() => String)
  domain!: string;

  @Field(() => DomainComplianceModel, { nullable: true, description: 'Null: never evaluated.' })
  compliance!: DomainComplianceModel | null;
}
