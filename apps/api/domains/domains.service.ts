import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../../../libs/auth/roles';
import { DomainEntity, ensureDomain, recordAudit } from '../../../libs/db';
import {
  InvalidDomainName,
  validateDomainName,
  type ValidDomainName,
} from '../../../libs/domain-name';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { DATA_SOURCE } from '../tokens';

/** The API's answer to a refused name: a typed error with the reason. */
export function validDomainOrError(input: string): ValidDomainName {
  try {
    return validateDomainName(input);
  } catch (err) {
    if (err instanceof InvalidDomainName) {
      throw graphQLError('INVALID_DOMAIN_NAME', err.message, { reason: err.reason });
    }
    throw err;
  }
}

@Injectable()
export class DomainsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  list(organisationId: string): Promise<DomainEntity[]> {
    return this.dataSource
      .getRepository(DomainEntity)
      .find({ where: { organisationId }, order: { name: 'ASC' } });
  }

  async add(principal: Principal, organisationId: string, input: string): Promise<DomainEntity> {
    const name = validDomainOrError(input);
    return this.dataSource.transaction(async (m) => {
      const existing = await m
        .getRepository(DomainEntity)
        .findOneBy({ organisationId, name: name.ascii });
      if (existing) return existing;
      const domain = await ensureDomain(m, organisationId, name);
      await recordAudit(m, {
        organisationId,
        ...actorOf(principal),
        action: 'domain.add',
        targetType: 'domain',
        targetId: domain.id,
        details: { name: domain.name },
      });
      return domain;
    });
  }

  async remove(principal: Principal, id: string): Promise<boolean> {
    const domain = isUuid(id)
      ? await this.dataSource.getRepository(DomainEntity).findOneBy({ id })
      : null;
    this.access.assertCan(principal, 'operator', domain?.organisationId, 'domain', id);
    await this.dataSource.transaction(async (m) => {
      await m.delete(DomainEntity, { id });
      await recordAudit(m, {
        organisationId: domain!.organisationId,
        ...actorOf(principal),
        action: 'domain.remove',
        targetType: 'domain',
        targetId: id,
        details: { name: domain!.name },
      });
    });
    return true;
  }
}
