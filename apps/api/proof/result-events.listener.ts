import { EventEmitter, on } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PgPubSub } from '../../../libs/db/pg-pubsub';
import { RESULT_EVENTS_CHANNEL, type ResultEvent } from '../../../libs/db/result-events';
import type { Logger } from '../../../libs/telemetry';
import { PG_PUBSUB } from '../common/pg-pubsub.module';
import { LOGGER } from '../tokens';

/**
 * Result events (probe results received, tokens stored by workers) from the process's shared
 * LISTEN connection, fanned out in-process to subscribers by organisation.
 */
@Injectable()
export class ResultEventsListener implements OnModuleInit, OnApplicationShutdown {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    @Inject(PG_PUBSUB) private readonly pubsub: PgPubSub,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(RESULT_EVENTS_CHANNEL, (payload) => {
      if (!payload) return; // a reconnect: events are not replayed, subscribers keep listening
      try {
        const event = JSON.parse(payload) as ResultEvent;
        this.events.emit(event.organisationId, event);
      } catch (err) {
        this.logger.warn({ err }, 'ignored a malformed result event');
      }
    });
  }

  /** Events of one organisation, from now on, until the caller stops iterating. */
  async *watch(organisationId: string): AsyncGenerator<ResultEvent> {
    for await (const [event] of on(this.events, organisationId)) yield event as ResultEvent;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.();
  }
}
