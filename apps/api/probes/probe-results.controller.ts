import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '../../../libs/auth/roles';
import { OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ProbesService } from './probes.service';

/** Probes that speak plain HTTP: POST the standard result as the JSON body. */
@Controller('probes/:probeId/results')
export class ProbeResultsController {
  constructor(private readonly probes: ProbesService) {}

  /** 201 when stored, 200 when this `meta.uuid` was already stored with the same content. */
  @OnObject('operator')
  @Post()
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Param('probeId') probeId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { result, created } = await this.probes.submit(principal, probeId, body);
    res.status(created ? 201 : 200);
    return result;
  }
}
