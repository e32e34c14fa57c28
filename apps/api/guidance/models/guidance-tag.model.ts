import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { SeverityEnum } from '../../scans/models/finding.model';
import { GuidanceTagSourceEnum } from './guidance-enums';

@ObjectType('GuidanceTag', { description: 'One entry of the guidance catalogue.' })
export class GuidanceTagModel {
  @Field(() => ID, { description: 'Stable id; for a finding’s tag, the finding id.' })
  id!: string;

  @Field(() => String, { description: 'dmarc, spf, dkim, mx, mail, web, hsts, tls, …' })
  area!: string;

  @Field(() => SeverityEnum)
  severity!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { description: 'What it means and why it matters.' })
  meaning!: string;

  @Field(() => String, { nullable: true, description: 'How to fix it; null for a pass.' })
  fix!: string | null;

  @Field(() => [String], { description: 'RFCs and national guidance.' })
  references!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'The Government of Canada Tracker tag for the same result (e.g. `spf11`).',
  })
  trackerTagId!: string | null;

  @Field(() => GuidanceTagSourceEnum)
  source!: string;

  @Field(() => String, { description: 'When the tag applies, in words.' })
  appliesWhen!: string;
}

@ObjectType('ScanGuidanceTag', { description: 'A guidance tag that applies to one scan, and why.' })
export class ScanGuidanceTagModel {
  @Field(() => ID)
  tagId!: string;

  @Field(() => String)
  area!: string;

  @Field(() => SeverityEnum, { description: 'As the catalogue said when the scan was evaluated.' })
  severity!: string;

  @Field(() => String, { nullable: true, description: 'The scanner the tag comes from.' })
  scanner!: string | null;

  @Field(() => String, { description: 'About this domain.' })
  message!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  evidence!: Record<string, unknown> | null;

  @Field(() => GuidanceTagModel, {
    nullable: true,
    description: 'The catalogue entry (title, meaning, fix); null if the catalogue dropped it.',
  })
  tag!: GuidanceTagModel | null;
}
