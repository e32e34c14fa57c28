import { EventEmitter, on } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { PerimeterConfig } from '../../../libs/config/config';
import { RESULT_EVENTS_CHANNEL, type ResultEvent } from '../../../libs/db/result-events';
import type { Logger } from '../../../libs/telemetry';
import { CONFIG, LOGGER } from '../tokens';

const RECONNECT_MS = 1000;

/**
 * One LISTEN connection per API process for result events (probe results received, tokens
 * stored by workers), fanned out in-process to subscribers by organisation.
 */
@Injectable()
export class ResultEventsListener implements OnModuleInit, OnApplicationShutdown {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private client: Client | undefined;
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: PerimeterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.config.databaseUrl) return;
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== RESULT_EVENTS_CHANNEL || !msg.payload) return;
      try {
        const event = JSON.parse(msg.payload) as ResultEvent;
        this.events.emit(event.organisationId, event);
      } catch (err) {
        this.logger.warn({ err }, 'ignored a malformed result event');
      }
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'result events connection lost; reconnecting');
      this.client = undefined;
      client.end().catch(() => undefined);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${RESULT_EVENTS_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.logger.warn({ err }, 'could not LISTEN for result events; retrying');
      await client.end().catch(() => undefined);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    }
  }

  /** Events of one organisation, from now on, until the caller stops iterating. */
  async *watch(organisationId: string): AsyncGenerator<ResultEvent> {
    for await (const [event] of on(this.events, organisationId)) yield event as ResultEvent;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }
}
