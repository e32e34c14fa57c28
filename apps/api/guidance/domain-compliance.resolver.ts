import { Inject } from '@nestjs/common';
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { DataSource } from 'typeorm';
import { latestDomainEvaluation } from '../../../libs/db';
import { OnField } from '../auth/authorize.decorator';
import { DomainModel } from '../domains/models/domain.model';
import { DATA_SOURCE } from '../tokens';
import { complianceModelOf } from './guidance.service';
import { DomainComplianceModel } from './models/compliance.model';

/** A domain's newest compliance, as a field of `Domain` (kept here, beside the rest of guidance). */
@Resolver(() => DomainModel)
export class DomainComplianceResolver {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @OnField('viewer', (domain: DomainModel) => domain.organisationId)
  @ResolveField(() => DomainComplianceModel, {
    nullable: true,
    description: 'Compliance from the domain’s newest evaluated scan; null before any.',
  })
  async compliance(@Parent() domain: DomainModel) {
    const e = await latestDomainEvaluation(this.dataSource, domain.id);
    return e ? complianceModelOf(e) : null;
  }
}
