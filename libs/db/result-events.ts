import type { DataSource } from 'typeorm';
import { pgNotify } from './pg-pubsub';
import type { ProofSubjectKind } from './proof.repository';

/** The Postgres NOTIFY channel for new results and new time-stamps. */
export const RESULT_EVENTS_CHANNEL = 'perimeter_results';

/** Small on purpose (NOTIFY payloads stop at 8000 bytes): listeners load the rest by id. */
export interface ResultEvent {
  type: 'probe-result' | 'timestamped';
  organisationId: string;
  resultId: string;
  resultKind: ProofSubjectKind;
}

/** Tells every API process listening (any process, any host on this database). */
export async function publishResultEvent(ds: DataSource, event: ResultEvent): Promise<void> {
  await pgNotify(ds, RESULT_EVENTS_CHANNEL, JSON.stringify(event));
}
