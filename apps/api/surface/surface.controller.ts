import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import { InOrganisation } from '../auth/authorize.decorator';
import { CurrentPrincipal, type AuthedRequest } from '../auth/request-context';
import { graphQLError } from '../common/graphql-errors';
import { CONFIG } from '../tokens';
import { SurfaceService, toVersionModel } from './surface.service';

/** Reads the raw body, refusing it as soon as it passes the limit (nothing is stored then). */
async function readBody(req: AuthedRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit)
    throw graphQLError('PAYLOAD_TOO_LARGE', `inventories are limited to ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.destroy();
      throw graphQLError('PAYLOAD_TOO_LARGE', `inventories are limited to ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Inventory uploads too large for a GraphQL request: the JSON document as the request body. */
@Controller('organisations/:organisationId/environments/:environment/inventories')
export class SurfaceController {
  constructor(
    private readonly surface: SurfaceService,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
  ) {}

  @InOrganisation('operator')
  @Post()
  @HttpCode(202)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId') organisationId: string,
    @Param('environment') environment: string,
    @Req() req: AuthedRequest,
  ) {
    const body = await readBody(req, this.config.api.inventoryMaxBytes);
    return toVersionModel(
      await this.surface.importInventory(principal, organisationId, environment, body),
    );
  }
}
