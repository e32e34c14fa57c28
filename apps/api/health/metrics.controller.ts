import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Telemetry } from '../../../libs/telemetry';
import { Public } from '../auth/authorize.decorator';
import { TELEMETRY } from '../tokens';

/** Prometheus scrape target: counters since this process started (no organisation data). */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(TELEMETRY) private readonly telemetry: Telemetry | null) {}

  @Get()
  metrics(@Req() req: Request, @Res() res: Response) {
    if (!this.telemetry) {
      res.status(503).send('metrics are not enabled in this process\n');
      return;
    }
    this.telemetry.prometheus.getMetricsRequestHandler(req, res);
  }
}
