import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json, type NextFunction, type Request, type Response } from 'express';
import type { PerimeterConfig } from '../../libs/config/config';
import type { Logger, Telemetry } from '../../libs/telemetry';
import { AppModule } from './app.module';
import { PinoNestLogger } from './common/pino-nest-logger';

const INVENTORY_UPLOAD = /^\/organisations\/[^/]+\/environments\/[^/]+\/inventories$/;

export async function createApiApp(
  config: PerimeterConfig,
  logger: Logger,
  telemetry?: Telemetry,
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, logger, telemetry), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // JSON bodies are parsed below, except inventory uploads, which stream with their own limit.
    bodyParser: false,
  });
  const parseJson = json({ limit: '1mb' });
  app.use((req: Request, res: Response, next: NextFunction) =>
    // Bucket notifications are read raw: their HMAC is over the exact bytes.
    INVENTORY_UPLOAD.test(req.path) || req.path === '/buckets/notifications'
      ? next()
      : parseJson(req, res, next),
  );
  return app;
}
