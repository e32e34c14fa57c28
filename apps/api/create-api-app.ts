import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PerimeterConfig } from '../../libs/config/config';
import type { Logger } from '../../libs/telemetry';
import { AppModule } from './app.module';
import { PinoNestLogger } from './common/pino-nest-logger';

export async function createApiApp(
  config: PerimeterConfig,
  logger: Logger,
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  return app;
}
