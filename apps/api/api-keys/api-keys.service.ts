import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { generateApiKey } from '../../../libs/auth/api-keys';
import { actorOf, type Principal, type Role } from '../../../libs/auth/roles';
import { ApiKeyEntity, insertApiKey, recordAudit } from '../../../libs/db';
import { AccessService } from '../auth/access.service';
import { graphQLError } from '../common/graphql-errors';
import { isUuid } from '../common/ids';
import { DATA_SOURCE } from '../tokens';
import type { ApiKeyModel } from './models/api-key.model';

export function toApiKeyModel(k: ApiKeyEntity): ApiKeyModel {
  return { ...k, prefix: k.publicId };
}

@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  async list(organisationId: string): Promise<ApiKeyModel[]> {
    const keys = await this.dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { organisationId }, order: { createdAt: 'DESC' } });
    return keys.map(toApiKeyModel);
  }

  async create(
    principal: Principal,
    input: { organisationId: string; name: string; role: Role; expiresAt: Date | null },
  ): Promise<{ apiKey: ApiKeyModel; token: string }> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw graphQLError('BAD_USER_INPUT', 'name: 1-200 characters');
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw graphQLError('BAD_USER_INPUT', 'expiresAt must be in the future');
    }
    const generated = generateApiKey();
    const actor = actorOf(principal);
    const key = await this.dataSource.transaction(async (m) => {
      const key = await insertApiKey(m, {
        publicId: generated.id,
        secretHash: generated.secretHash,
        organisationId: input.organisationId,
        role: input.role,
        name,
        createdBy: actor.actorType === 'user' ? actor.actorId : null,
        expiresAt: input.expiresAt,
      });
      await recordAudit(m, {
        organisationId: input.organisationId,
        ...actor,
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: key.id,
        details: { name, role: input.role, expiresAt: input.expiresAt },
      });
      return key;
    });
    return { apiKey: toApiKeyModel(key), token: generated.token };
  }

  async revoke(principal: Principal, id: string): Promise<ApiKeyModel> {
    const repo = this.dataSource.getRepository(ApiKeyEntity);
    const key = isUuid(id) ? await repo.findOneBy({ id }) : null;
    this.access.assertCan(principal, 'admin', key?.organisationId, 'API key', id);
    if (key!.revokedAt) return toApiKeyModel(key!);
    await this.dataSource.transaction(async (m) => {
      await m.update(ApiKeyEntity, { id }, { revokedAt: new Date() });
      await recordAudit(m, {
        organisationId: key!.organisationId,
        ...actorOf(principal),
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        details: { name: key!.name },
      });
    });
    return toApiKeyModel(await repo.findOneByOrFail({ id }));
  }
}
