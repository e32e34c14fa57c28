import { Controller, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { Principal } from '../../../libs/auth/roles';
import type { PerimeterConfig } from '../../../libs/config/config';
import { InOrganisation } from '../auth/authorize.decorator';
import { CurrentPrincipal, type AuthedRequest } from '../auth/request-context';
import { graphQLError } from '../common/graphql-errors';
import { CONFIG } from '../tokens';
import { DmarcReportsService, toUploadModel } from './dmarc-reports.service';

/** Reads the raw body, refusing it as soon as it passes the limit (nothing is stored then). */
async function readBody(req: AuthedRequest, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    graphQLError('PAYLOAD_TOO_LARGE', `DMARC report uploads are limited to ${limit} bytes`);
  if (Number(req.headers['content-length']) > limit) throw tooLarge();
  if (req.readableEnded) {
    throw graphQLError(
      'BAD_USER_INPUT',
      'send the report as its own bytes (application/octet-stream, application/gzip, message/rfc822, …), not as JSON',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `POST /organisations/{id}/dmarc-reports?name=<file name>` with a report as the body (.xml,
 * .xml.gz, .zip or a whole e-mail; the format is recognised from the bytes). 202 with the upload;
 * `dmarcReportUpload(id)` says what became of it.
 */
@Controller('organisations/:organisationId/dmarc-reports')
export class DmarcReportsController {
  constructor(
    private readonly reports: DmarcReportsService,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
  ) {}

  @InOrganisation('operator')
  @Post()
  @HttpCode(202)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId') organisationId: string,
    @Query('name') name: string | undefined,
    @Req() req: AuthedRequest,
  ) {
    const body = await readBody(req, this.config.dmarc.uploadMaxBytes);
    const sourceRef =
      [...(name ?? '')]
        .filter((c) => c.charCodeAt(0) >= 0x20)
        .join('')
        .slice(0, 300) || 'upload';
    return toUploadModel(
      await this.reports.upload(principal, organisationId, 'upload', sourceRef, body),
    );
  }
}
