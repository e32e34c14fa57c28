import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { PerimeterConfig } from '../../../libs/config/config';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import {
  addDomains,
  DomainEntity,
  domainLabelsQuery,
  domainsQuery,
  recordAudit,
  setDomainDkimSelectors,
  setDomainLabels,
  type DomainOrder,
} from '../../../libs/db';
import type { PageRequest } from '../../../libs/db/keyset-page';
import {
  InvalidDomainName,
  specialUseSuffix,
  validateDomainName,
  type ValidDomainName,
} from '../../../libs/domain-name';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import type { OrderDirection } from '../common/order-direction';
import { PageLimits } from '../common/page-limits';
import { relayConnection, type Connection } from '../common/relay-connection';
import { CONFIG, DATA_SOURCE } from '../tokens';
import type { DomainLabelModel, DomainModel } from './models/domain.model';

/** The most names one bulk add takes. */
export const MAX_BULK_DOMAINS = 1000;
const MAX_LABELS = 20;
const LABEL = /^[a-z0-9](?:[a-z0-9._:-]{0,62})$/;
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/i;

/** Why one name of a request was refused. */
export interface RefusedName {
  index: number;
  input: string;
  reason: string;
  message: string;
}

/**
 * A name as a scan target, or why not: the syntax (`INVALID_DOMAIN_NAME`), then whether this
 * deployment may scan it (special-use names such as `printer.local`: `TARGET_NOT_ALLOWED`).
 */
export function checkDomainName(
  input: string,
  allowPrivateTargets: boolean,
): ValidDomainName | { reason: string; message: string; code: string } {
  let name: ValidDomainName;
  try {
    name = validateDomainName(input);
  } catch (err) {
    if (err instanceof InvalidDomainName)
      return { reason: err.reason, message: err.message, code: 'INVALID_DOMAIN_NAME' };
    throw err;
  }
  const suffix = allowPrivateTargets ? null : specialUseSuffix(name.ascii);
  if (suffix) {
    return {
      reason: 'special-use-name',
      message: `${name.ascii} is under .${suffix}, a special-use name that is never public DNS`,
      code: 'TARGET_NOT_ALLOWED',
    };
  }
  return name;
}

/** The API's answer to a refused name: a typed error with the reason. */
export function validDomainOrError(input: string, allowPrivateTargets = true): ValidDomainName {
  const checked = checkDomainName(input, allowPrivateTargets);
  if ('reason' in checked) {
    throw graphQLError(checked.code as 'INVALID_DOMAIN_NAME', checked.message, {
      reason: checked.reason,
    });
  }
  return checked;
}

/** Labels: lowercase, trimmed, deduplicated and sorted; refused all together with the bad ones. */
export function validLabels(labels: string[]): string[] {
  const normalised = [...new Set(labels.map((l) => l.trim().toLowerCase()))].sort();
  const bad = normalised.filter((l) => !LABEL.test(l));
  if (bad.length) {
    throw graphQLError(
      'BAD_USER_INPUT',
      `labels: 1-63 of a-z 0-9 . _ : - starting with a letter or digit; not: ${bad
        .map((b) => JSON.stringify(b.slice(0, 64)))
        .join(', ')}`,
      { invalidLabels: bad.map((b) => b.slice(0, 64)) },
    );
  }
  if (normalised.length > MAX_LABELS)
    throw graphQLError('BAD_USER_INPUT', `labels: at most ${MAX_LABELS} per domain`);
  return normalised;
}

/** DKIM selectors are DNS labels (dots allowed between them); at most 20. */
export function validSelectors(selectors: string[]): string[] {
  if (selectors.length > 20) throw graphQLError('BAD_USER_INPUT', 'dkimSelectors: at most 20');
  const bad = selectors.filter((s) => s.length > 200 || !SELECTOR.test(s));
  if (bad.length) {
    throw graphQLError(
      'BAD_USER_INPUT',
      `dkimSelectors: not a selector: ${bad.map((b) => b.slice(0, 64)).join(', ')}`,
    );
  }
  return [...new Set(selectors.map((s) => s.toLowerCase()))].sort();
}

@Injectable()
export class DomainsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    private readonly access: AccessService,
    private readonly pageLimits: PageLimits,
  ) {}

  async list(
    organisationId: string,
    page: PageRequest,
    opts: { label?: string; search?: string; order: DomainOrder; direction: OrderDirection },
  ): Promise<Connection<DomainModel>> {
    if (opts.search && opts.search.length > 253)
      throw graphQLError('BAD_USER_INPUT', 'search: at most 253 characters');
    const label = opts.label ? validLabels([opts.label])[0] : undefined;
    return relayConnection(
      this.dataSource,
      domainsQuery(organisationId, { ...opts, label, search: opts.search?.trim() || undefined }),
      page,
      (row: Record<string, unknown>) => row as unknown as DomainModel,
      await this.pageLimits.maxPageSize(organisationId),
    );
  }

  async labels(organisationId: string, page: PageRequest): Promise<Connection<DomainLabelModel>> {
    return relayConnection(
      this.dataSource,
      domainLabelsQuery(organisationId),
      page,
      (row: Record<string, unknown>) => row as unknown as DomainLabelModel,
      await this.pageLimits.maxPageSize(organisationId),
    );
  }

  async add(
    principal: Principal,
    organisationId: string,
    input: string,
    labels: string[] = [],
  ): Promise<DomainEntity> {
    validDomainOrError(input, this.config.scanners.allowPrivateTargets);
    const [domain] = await this.addMany(principal, organisationId, [input], labels);
    return domain!;
  }

  /**
   * Adds every name or none: all are checked first, and any refusal lists each refused name with
   * its reason. Names the organisation already has are returned unchanged.
   */
  async addMany(
    principal: Principal,
    organisationId: string,
    inputs: string[],
    labelInput: string[] = [],
  ): Promise<DomainEntity[]> {
    if (inputs.length === 0) throw graphQLError('BAD_USER_INPUT', 'domains: name at least one');
    if (inputs.length > MAX_BULK_DOMAINS)
      throw graphQLError('BAD_USER_INPUT', `domains: at most ${MAX_BULK_DOMAINS} at a time`);
    const labels = validLabels(labelInput);
    const names: ValidDomainName[] = [];
    const refused: RefusedName[] = [];
    inputs.forEach((input, index) => {
      const checked = checkDomainName(input, this.config.scanners.allowPrivateTargets);
      if ('reason' in checked) {
        refused.push({
          index,
          input: input.slice(0, 300),
          reason: checked.reason,
          message: checked.message,
        });
      } else names.push(checked);
    });
    if (refused.length) {
      const shown = refused.slice(0, 10).map((r) => `#${r.index + 1} ${r.message}`);
      const notAllowed = refused.every((r) => r.reason === 'special-use-name');
      throw graphQLError(
        notAllowed ? 'TARGET_NOT_ALLOWED' : 'INVALID_DOMAIN_NAME',
        `${refused.length} of ${inputs.length} names refused; nothing was added: ${shown.join('; ')}${
          refused.length > 10 ? '; …' : ''
        }`,
        { invalid: refused },
      );
    }
    const unique = [...new Map(names.map((n) => [n.ascii, n])).values()];
    return this.dataSource.transaction(async (m) => {
      const { domains, added } = await addDomains(m, organisationId, unique, labels);
      for (const d of added) {
        await recordAudit(m, {
          organisationId,
          ...actorOf(principal),
          action: 'domain.add',
          targetType: 'domain',
          targetId: d.id,
          details: { name: d.name, labels },
        });
      }
      return domains;
    });
  }

  async remove(principal: Principal, id: string): Promise<boolean> {
    const domain = await this.find(principal, id);
    await this.dataSource.transaction(async (m) => {
      await m.delete(DomainEntity, { id });
      await recordAudit(m, {
        organisationId: domain.organisationId,
        ...actorOf(principal),
        action: 'domain.remove',
        targetType: 'domain',
        targetId: id,
        details: { name: domain.name },
      });
    });
    return true;
  }

  async setLabels(principal: Principal, id: string, labelInput: string[]) {
    const labels = validLabels(labelInput);
    const domain = await this.find(principal, id);
    return this.change(principal, domain, 'domain.labels', { labels }, (m) =>
      setDomainLabels(m, id, labels),
    );
  }

  async setDkimSelectors(principal: Principal, id: string, input: string[]) {
    const selectors = validSelectors(input);
    const domain = await this.find(principal, id);
    return this.change(principal, domain, 'domain.dkim-selectors', { selectors }, (m) =>
      setDomainDkimSelectors(m, id, selectors),
    );
  }

  /** A domain of one of the principal's organisations (operator there); any other is NOT_FOUND. */
  private async find(principal: Principal, id: string): Promise<DomainEntity> {
    const domain = isUuid(id)
      ? await this.dataSource.getRepository(DomainEntity).findOneBy({ id })
      : null;
    this.access.assertCan(principal, 'operator', domain?.organisationId, 'domain', id);
    return domain!;
  }

  private change(
    principal: Principal,
    domain: DomainEntity,
    action: string,
    details: Record<string, unknown>,
    write: (m: EntityManager) => Promise<void>,
  ): Promise<DomainEntity> {
    return this.dataSource.transaction(async (m) => {
      await write(m);
      await recordAudit(m, {
        organisationId: domain.organisationId,
        ...actorOf(principal),
        action,
        targetType: 'domain',
        targetId: domain.id,
        details: { name: domain.name, ...details },
      });
      return m.getRepository(DomainEntity).findOneByOrFail({ id: domain.id });
    });
  }
}
