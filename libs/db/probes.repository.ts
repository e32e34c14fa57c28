import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface ProbeRow {
  id: string;
  organisationId: string;
  name: string;
  tool: string | null;
  registeredAt: Date;
  lastSeenAt: Date;
}

export interface ProbeResultRow {
  id: string;
  organisationId: string;
  probeId: string;
  probeName: string;
  resultUuid: string;
  resultType: string;
  resultTs: Date;
  document: Record<string, unknown>;
  receivedAt: Date;
}

const probeOf = (r: Record<string, unknown>): ProbeRow => ({
  id: r.id as string,
  organisationId: r.organisation_id as string,
  name: r.name as string,
  tool: r.tool as string | null,
  registeredAt: r.registered_at as Date,
  lastSeenAt: r.last_seen_at as Date,
});

const resultOf = (r: Record<string, unknown>): ProbeResultRow => ({
  id: r.id as string,
  organisationId: r.organisation_id as string,
  probeId: r.probe_id as string,
  probeName: r.probe_name as string,
  resultUuid: r.result_uuid as string,
  resultType: r.result_type as string,
  resultTs: r.result_ts as Date,
  document: r.document as Record<string, unknown>,
  receivedAt: r.received_at as Date,
});

/** Registers a probe by name (idempotent: registering again is a heartbeat that may rename its tool). */
export async function registerProbe(
  ds: DataSource,
  input: { organisationId: string; name: string; tool: string | null },
): Promise<ProbeRow> {
  const rows = (await ds.query(
    `INSERT INTO probe (id, organisation_id, name, tool) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organisation_id, name) DO UPDATE SET tool = COALESCE(EXCLUDED.tool, probe.tool),
       last_seen_at = now()
     RETURNING *`,
    [randomUUID(), input.organisationId, input.name, input.tool],
  )) as Array<Record<string, unknown>>;
  return probeOf(rows[0]!);
}

export async function findProbe(ds: DataSource, id: string): Promise<ProbeRow | null> {
  const rows = (await ds.query(`SELECT * FROM probe WHERE id = $1`, [id])) as Array<
    Record<string, unknown>
  >;
  return rows[0] ? probeOf(rows[0]) : null;
}

export async function touchProbe(ds: DataSource, id: string): Promise<ProbeRow | null> {
  const [rows] = (await ds.query(
    `UPDATE probe SET last_seen_at = now() WHERE id = $1 RETURNING *`,
    [id],
  )) as [Array<Record<string, unknown>>, number];
  return rows[0] ? probeOf(rows[0]) : null;
}

export async function listProbes(ds: DataSource, organisationId: string): Promise<ProbeRow[]> {
  const rows = (await ds.query(`SELECT * FROM probe WHERE organisation_id = $1 ORDER BY name`, [
    organisationId,
  ])) as Array<Record<string, unknown>>;
  return rows.map(probeOf);
}

const RESULT_COLUMNS = `r.*, p.name AS probe_name`;

/**
 * Stores a probe's result once per `meta.uuid`: the same uuid again returns the stored row and
 * `created: false` (the caller compares documents).
 */
export async function storeProbeResult(
  ds: DataSource,
  input: {
    organisationId: string;
    probeId: string;
    resultUuid: string;
    resultType: string;
    resultTs: string;
    document: unknown;
  },
): Promise<{ row: ProbeResultRow; created: boolean }> {
  return ds.transaction(async (m) => {
    const inserted = (await m.query(
      `INSERT INTO probe_result (id, organisation_id, probe_id, result_uuid, result_type, result_ts, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (organisation_id, result_uuid) DO NOTHING RETURNING id`,
      [
        randomUUID(),
        input.organisationId,
        input.probeId,
        input.resultUuid,
        input.resultType,
        input.resultTs,
        JSON.stringify(input.document),
      ],
    )) as Array<{ id: string }>;
    await m.query(`UPDATE probe SET last_seen_at = now() WHERE id = $1`, [input.probeId]);
    const rows = (await m.query(
      `SELECT ${RESULT_COLUMNS} FROM probe_result r JOIN probe p ON p.id = r.probe_id
        WHERE r.organisation_id = $1 AND r.result_uuid = $2`,
      [input.organisationId, input.resultUuid],
    )) as Array<Record<string, unknown>>;
    return { row: resultOf(rows[0]!), created: inserted.length > 0 };
  });
}

export async function findProbeResult(ds: DataSource, id: string): Promise<ProbeResultRow | null> {
  const rows = (await ds.query(
    `SELECT ${RESULT_COLUMNS} FROM probe_result r JOIN probe p ON p.id = r.probe_id WHERE r.id = $1`,
    [id],
  )) as Array<Record<string, unknown>>;
  return rows[0] ? resultOf(rows[0]) : null;
}

export async function listProbeResults(
  ds: DataSource,
  organisationId: string,
  limit: number,
): Promise<ProbeResultRow[]> {
  const rows = (await ds.query(
    `SELECT ${RESULT_COLUMNS} FROM probe_result r JOIN probe p ON p.id = r.probe_id
      WHERE r.organisation_id = $1 ORDER BY r.received_at DESC, r.id LIMIT $2`,
    [organisationId, limit],
  )) as Array<Record<string, unknown>>;
  return rows.map(resultOf);
}
