import {
  Args,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { Finding } from '../../../activities/common/check-report';
import { findingCatalogue } from '../../../activities/posture-checks';
import type { Principal } from '../../../libs/auth/roles';
import type { ScanEntity } from '../../../libs/db';
import { InOrganisation, OnField, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import type { FindingModel } from './models/finding.model';
import type { ResultStatus, ScanStatus } from '../../../libs/contracts';
import { OrderDirectionEnum, type OrderDirection } from '../common/order-direction';
import { ConnectionArgs } from '../common/relay-connection';
import { ResultStatusEnum, ScanStatusEnum } from './models/scan-enums';
import { ScanResultConnection, ScanResultModel } from './models/scan-result.model';
import { ScanConnection, ScanModel } from './models/scan.model';
import { ScannerProgressModel } from './models/scanner-progress.model';
import { ScansService, statusKey, type WatchedScan } from './scans.service';

const scanOrganisation = (scan: ScanEntity) => scan.organisationId;

/** The findings of a posture-check report, with their catalogue title and fix. */
function findingsOf(data: Record<string, unknown> | null): FindingModel[] {
  const findings = (data?.findings ?? []) as Finding[];
  return findings.map((f) => ({
    id: f.id,
    severity: f.severity,
    message: f.message,
    evidence: f.evidence ?? null,
    title: findingCatalogue[f.id]?.title ?? f.id,
    fix: findingCatalogue[f.id]?.fix ?? null,
  }));
}

@Resolver(() => ScanModel)
export class ScansResolver {
  constructor(private readonly service: ScansService) {}

  @Mutation(() => ScanModel, {
    description:
      'Scan a domain now. The name may be Unicode or punycode; IP literals and single labels are refused.',
  })
  @InOrganisation('operator')
  requestDomainScan(
    @CurrentPrincipal() principal: Principal,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('domain', { type: () => String }) domain: string,
    @Args('scanners', {
      type: () => [String],
      nullable: true,
      description: 'Scanners or groups (`dns`, `mail`, `spf`, …); all when omitted.',
    })
    scanners?: string[] | null,
    @Args('dkimSelectors', {
      type: () => [String],
      nullable: true,
      description:
        'DKIM selectors to try besides the built-in catalogue; remembered for the domain.',
    })
    dkimSelectors?: string[] | null,
  ): Promise<ScanEntity> {
    return this.service.requestDomainScan(principal, organisationId, domain, {
      scanners: scanners ?? undefined,
      dkimSelectors: dkimSelectors ?? undefined,
    });
  }

  @InOrganisation('viewer')
  @Query(() => ScanConnection, {
    description:
      "The organisation's scans by request time (newest first unless `direction: ASC`), as a Relay connection.",
  })
  scans(
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args() page: ConnectionArgs,
    @Args('status', { type: () => [ScanStatusEnum], nullable: true }) status?: ScanStatus[] | null,
    @Args('domainId', { type: () => ID, nullable: true }) domainId?: string | null,
    @Args('domain', {
      type: () => String,
      nullable: true,
      description: 'Scans of this name (any form).',
    })
    domain?: string | null,
    @Args('direction', { type: () => OrderDirectionEnum, defaultValue: 'DESC' })
    direction: OrderDirection = 'DESC',
  ) {
    return this.service.list(organisationId, page, {
      statuses: status ?? undefined,
      domainId: domainId ?? undefined,
      domain: domain ?? undefined,
      direction,
    });
  }

  @OnObject('viewer')
  @Query(() => ScanResultConnection, {
    description: "A scan's results by scanner name, as a Relay connection.",
  })
  async scanResults(
    @CurrentPrincipal() principal: Principal,
    @Args('scanId', { type: () => ID }) scanId: string,
    @Args() page: ConnectionArgs,
    @Args('status', { type: () => [ResultStatusEnum], nullable: true })
    status?: ResultStatus[] | null,
  ) {
    const scan = await this.service.getScan(principal, scanId);
    return this.service.resultPage(scan, page, status ?? undefined, (r) => ({
      ...r,
      findings: findingsOf(r.data),
    }));
  }

  @OnObject('viewer')
  @Query(() => ScanModel)
  scan(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string) {
    return this.service.getScan(principal, id);
  }

  @OnObject('viewer')
  @Subscription(() => ScanModel, {
    resolve: (scan: ScanEntity) => scan,
    description: 'The scan now, then again each time its status changes, until it has finished.',
  })
  async scanUpdated(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.service.watch(await this.service.getScan(principal, id), statusKey);
  }

  @OnObject('viewer')
  @Subscription(() => ScanModel, {
    resolve: (scan: ScanEntity) => scan,
    description:
      'The scan now, then again on each change of its status or of any scanner’s progress, until it has finished. Works across API instances (Postgres LISTEN/NOTIFY).',
  })
  async scanProgress(
    @CurrentPrincipal() principal: Principal,
    @Args('scanId', { type: () => ID }) scanId: string,
  ) {
    return this.service.watch(await this.service.getScan(principal, scanId));
  }

  @OnObject('operator')
  @Mutation(() => ScanModel, {
    description:
      'Stops a queued or running scan: its scanners are cancelled through their heartbeats and the scan ends CANCELLED. A finished scan is a CONFLICT.',
  })
  cancelScan(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string) {
    return this.service.cancelScan(principal, id);
  }

  @OnObject('operator')
  @Mutation(() => ScanModel, {
    description: 'Scans the same target again with the same scanners, as a new scan.',
  })
  rescan(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string) {
    return this.service.rescan(principal, id);
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => String, { description: "The scan's workflow in the Temporal Web UI." })
  temporalUiUrl(@Parent() scan: ScanEntity): string {
    return this.service.temporalUiUrl(scan);
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => [ScanResultModel], {
    description: 'One result per scanner; `findings` lists what each check found.',
  })
  async results(@Parent() scan: ScanEntity): Promise<ScanResultModel[]> {
    return (await this.service.results(scan.id)).map((r) => ({
      ...r,
      findings: findingsOf(r.data),
    }));
  }

  @OnField('viewer', scanOrganisation)
  @ResolveField(() => [ScannerProgressModel], {
    description:
      'Per-scanner state and timings, stored as the scan runs and kept afterwards (in the order the scanners were asked for).',
  })
  progress(@Parent() scan: WatchedScan) {
    // A subscription event carries the progress read with it, so the two always agree.
    return scan.progressAtRead ?? this.service.progress(scan);
  }
}
