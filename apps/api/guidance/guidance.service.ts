import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { evaluateScanGuidance } from '../../../activities/guidance.activities';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import {
  DomainEntity,
  findGuidanceEvaluation,
  findGuidanceTags,
  findScan,
  latestDomainEvaluation,
  latestScanIdsOfOrganisation,
  organisationComplianceAt,
  recordAudit,
  type ComplianceCounts,
  type ScanEntity,
  type StoredEvaluation,
} from '../../../libs/db';
import {
  allCriteria,
  areaOf,
  guidanceCatalogue,
  isGuidanceArea,
  type GuidanceTag,
} from '../../../libs/guidance';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { DATA_SOURCE } from '../tokens';
import type {
  ComplianceCountsModel,
  DomainComplianceModel,
  OrganisationComplianceModel,
} from './models/compliance.model';
import type { ScanGuidanceTagModel } from './models/guidance-tag.model';

/** Re-evaluating a whole organisation touches at most this many scans per call. */
export const MAX_REEVALUATE_DOMAINS = 1000;

const CRITERION_TITLES = new Map(allCriteria.map((c) => [c.id, c.title]));
const percent = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;

export function complianceModelOf(e: StoredEvaluation): DomainComplianceModel {
  return {
    scanId: e.scanId,
    domainId: e.domainId,
    catalogueVersion: e.catalogueVersion,
    catalogueIsCurrent: e.catalogueVersion === guidanceCatalogue().version,
    scannedAt: e.scannedAt,
    evaluatedAt: e.evaluatedAt,
    web: e.web,
    mail: e.mail,
    dmarcPhase: e.dmarcPhase,
    criteria: e.criteria.map((c) => ({ ...c, title: CRITERION_TITLES.get(c.id) ?? c.id })),
    uncataloguedFindings: e.uncatalogued,
  };
}

export function organisationComplianceOf(
  at: Date,
  c: ComplianceCounts,
): OrganisationComplianceModel {
  const group = (
    compliant: number,
    nonCompliant: number,
    unknown: number,
    notApplicable: number,
  ): ComplianceCountsModel => ({
    compliant,
    nonCompliant,
    unknown,
    notApplicable,
    notEvaluated: c.domains - c.evaluated,
    compliantPercent: percent(compliant, c.domains),
    compliantPercentOfEvaluated: percent(compliant, c.evaluated),
  });
  return {
    at,
    domainCount: c.domains,
    evaluatedDomainCount: c.evaluated,
    web: group(c.webCompliant, c.webNonCompliant, c.webUnknown, c.webNotApplicable),
    mail: group(c.mailCompliant, c.mailNonCompliant, c.mailUnknown, c.mailNotApplicable),
    dmarcPhases: Object.entries(c.phases).map(([phase, count]) => ({
      phase,
      count,
      percent: percent(count, c.domains),
    })),
  };
}

@Injectable()
export class GuidanceService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /** The catalogue, optionally one area or severity; unknown areas are refused, not empty. */
  tags(filter: { area?: string | null; severity?: string | null } = {}): GuidanceTag[] {
    if (filter.area && !isGuidanceArea(filter.area)) {
      throw graphQLError('BAD_USER_INPUT', `unknown area "${filter.area.slice(0, 32)}"`);
    }
    return [...guidanceCatalogue().tags.values()].filter(
      (t) =>
        (!filter.area || t.area === filter.area) &&
        (!filter.severity || t.severity === filter.severity),
    );
  }

  tag(id: string): GuidanceTag {
    const tag = guidanceCatalogue().tags.get(id);
    if (!tag) throw graphQLError('NOT_FOUND', `no guidance tag ${id.slice(0, 100)}`);
    return tag;
  }

  async scanTags(scanId: string): Promise<ScanGuidanceTagModel[]> {
    const { tags } = guidanceCatalogue();
    return (await findGuidanceTags(this.dataSource, scanId)).map((t) => ({
      ...t,
      area: areaOf(t.tagId) ?? t.area,
      tag: tags.get(t.tagId) ?? null,
    }));
  }

  async scanCompliance(scanId: string): Promise<DomainComplianceModel | null> {
    const e = await findGuidanceEvaluation(this.dataSource, scanId);
    return e ? complianceModelOf(e) : null;
  }

  async domainCompliance(
    principal: Principal,
    domainId: string,
  ): Promise<DomainComplianceModel | null> {
    const domain = isUuid(domainId)
      ? await this.dataSource.getRepository(DomainEntity).findOneBy({ id: domainId })
      : null;
    this.access.assertCan(principal, 'viewer', domain?.organisationId, 'domain', domainId);
    const e = await latestDomainEvaluation(this.dataSource, domainId);
    return e ? complianceModelOf(e) : null;
  }

  async organisationCompliance(organisationId: string): Promise<OrganisationComplianceModel> {
    const at = new Date();
    const counts = await organisationComplianceAt(this.dataSource, organisationId, [at]);
    return organisationComplianceOf(at, counts.get(at.getTime())!);
  }

  /** Re-evaluates a finished scan's stored results against this API's catalogue; no rescanning. */
  async reevaluateScan(principal: Principal, scanId: string): Promise<ScanEntity> {
    const scan = isUuid(scanId) ? await findScan(this.dataSource, scanId) : null;
    this.access.assertCan(principal, 'operator', scan?.organisationId, 'scan', scanId);
    if (scan!.status === 'queued' || scan!.status === 'running') {
      throw graphQLError(
        'CONFLICT',
        'the scan is still running: its guidance step will evaluate it',
      );
    }
    const before = await findGuidanceEvaluation(this.dataSource, scanId);
    const summary = await evaluateScanGuidance(this.dataSource, scanId);
    await recordAudit(this.dataSource, {
      organisationId: scan!.organisationId!,
      ...actorOf(principal),
      action: 'guidance.reevaluate',
      targetType: 'scan',
      targetId: scanId,
      details: { from: before?.catalogueVersion ?? null, to: summary?.catalogueVersion },
    });
    return scan!;
  }

  /** Re-evaluates the newest finished scan of each of the organisation's domains. */
  async reevaluateOrganisation(principal: Principal, organisationId: string): Promise<number> {
    const scanIds = await latestScanIdsOfOrganisation(
      this.dataSource,
      organisationId,
      MAX_REEVALUATE_DOMAINS,
    );
    for (const scanId of scanIds) await evaluateScanGuidance(this.dataSource, scanId);
    await recordAudit(this.dataSource, {
      organisationId,
      ...actorOf(principal),
      action: 'guidance.reevaluate-organisation',
      targetType: 'organisation',
      targetId: organisationId,
      details: { scans: scanIds.length, to: guidanceCatalogue().version },
    });
    return scanIds.length;
  }
}
