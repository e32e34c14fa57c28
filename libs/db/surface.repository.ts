import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { DataSource, EntityManager } from 'typeorm';
import { inventoryImportWorkflowId } from '../contracts/inventory-import.contract';

type Db = DataSource | EntityManager;

export type InventoryVersionStatus = 'importing' | 'ready' | 'invalid' | 'failed';

export interface InventoryVersionRow {
  id: string;
  environmentId: string;
  environmentName: string;
  organisationId: string;
  version: number;
  status: InventoryVersionStatus;
  workflowId: string;
  vmCount: number | null;
  ruleCount: number | null;
  problems: Array<{ path: string; message: string }> | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const VERSION_COLUMNS = `v.id, v.environment_id AS "environmentId", e.name AS "environmentName",
  e.organisation_id AS "organisationId", v.version, v.status, v.workflow_id AS "workflowId",
  v.vm_count AS "vmCount", v.rule_count AS "ruleCount", v.problems, v.error,
  v.created_at AS "createdAt", v.finished_at AS "finishedAt"`;

export async function findEnvironment(
  db: Db,
  organisationId: string,
  name: string,
): Promise<{ id: string; name: string } | undefined> {
  const rows = (await db.query(
    `SELECT id, name FROM cloud_environment WHERE organisation_id = $1 AND name = $2`,
    [organisationId, name],
  )) as Array<{ id: string; name: string }>;
  return rows[0];
}

/**
 * Stores an upload and opens the next version of the environment (created on first use), in
 * one transaction; the import workflow then fills the version in.
 */
export async function createInventoryUpload(
  ds: DataSource,
  input: { organisationId: string; environment: string; content: Buffer; createdBy: string | null },
): Promise<{
  environmentId: string;
  uploadId: string;
  versionId: string;
  version: number;
  workflowId: string;
}> {
  const compressed = await promisify(gzip)(input.content);
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  return ds.transaction(async (m) => {
    await m.query(
      `INSERT INTO cloud_environment (id, organisation_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (organisation_id, name) DO NOTHING`,
      [randomUUID(), input.organisationId, input.environment],
    );
    const [env] = (await m.query(
      `SELECT id FROM cloud_environment WHERE organisation_id = $1 AND name = $2 FOR UPDATE`,
      [input.organisationId, input.environment],
    )) as Array<{ id: string }>;
    const [{ next }] = (await m.query(
      `SELECT COALESCE(MAX(version), 0) + 1 AS next FROM inventory_version WHERE environment_id = $1`,
      [env.id],
    )) as Array<{ next: number }>;
    const uploadId = randomUUID();
    const versionId = randomUUID();
    const workflowId = inventoryImportWorkflowId(versionId);
    await m.query(
      `INSERT INTO inventory_upload (id, environment_id, content_gzip, size_bytes, sha256, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [uploadId, env.id, compressed, input.content.length, sha256, input.createdBy],
    );
    await m.query(
      `INSERT INTO inventory_version (id, environment_id, version, status, upload_id, workflow_id)
       VALUES ($1, $2, $3, 'importing', $4, $5)`,
      [versionId, env.id, next, uploadId, workflowId],
    );
    return { environmentId: env.id, uploadId, versionId, version: Number(next), workflowId };
  });
}

export async function readInventoryUpload(db: Db, uploadId: string): Promise<Buffer> {
  const [row] = (await db.query(`SELECT content_gzip FROM inventory_upload WHERE id = $1`, [
    uploadId,
  ])) as Array<{ content_gzip: Buffer }>;
  if (!row) throw new Error(`no inventory upload ${uploadId}`);
  return promisify(gunzip)(row.content_gzip);
}

/** Idempotent: only a version still importing is finished. */
export async function finishInventoryVersion(
  db: Db,
  versionId: string,
  result:
    | { status: 'ready'; vmCount: number; ruleCount: number; index: Buffer }
    | { status: 'invalid'; problems: Array<{ path: string; message: string }> }
    | { status: 'failed'; error: string },
): Promise<void> {
  await db.query(
    `UPDATE inventory_version SET status = $2, vm_count = $3, rule_count = $4, index_data = $5,
       problems = $6, error = $7, finished_at = now()
     WHERE id = $1 AND status = 'importing'`,
    [
      versionId,
      result.status,
      result.status === 'ready' ? result.vmCount : null,
      result.status === 'ready' ? result.ruleCount : null,
      result.status === 'ready' ? result.index : null,
      result.status === 'invalid' ? JSON.stringify(result.problems) : null,
      result.status === 'failed' ? result.error : null,
    ],
  );
}

export async function findInventoryVersion(
  db: Db,
  id: string,
): Promise<InventoryVersionRow | undefined> {
  const rows = (await db.query(
    `SELECT ${VERSION_COLUMNS} FROM inventory_version v JOIN cloud_environment e ON e.id = v.environment_id
     WHERE v.id = $1`,
    [id],
  )) as InventoryVersionRow[];
  return rows[0];
}

export async function listEnvironmentVersions(
  db: Db,
  organisationId: string,
): Promise<InventoryVersionRow[]> {
  return (await db.query(
    `SELECT ${VERSION_COLUMNS} FROM inventory_version v JOIN cloud_environment e ON e.id = v.environment_id
     WHERE e.organisation_id = $1 ORDER BY e.name, v.version DESC`,
    [organisationId],
  )) as InventoryVersionRow[];
}

/** The newest ready version of an environment (without its index, which can be large). */
export async function latestReadyVersion(
  db: Db,
  environmentId: string,
): Promise<{ versionId: string; version: number } | undefined> {
  const rows = (await db.query(
    `SELECT id, version FROM inventory_version
     WHERE environment_id = $1 AND status = 'ready' ORDER BY version DESC LIMIT 1`,
    [environmentId],
  )) as Array<{ id: string; version: number }>;
  return rows[0] && { versionId: rows[0].id, version: rows[0].version };
}

/** The precomputed surface index of a ready version. */
export async function readInventoryIndex(db: Db, versionId: string): Promise<Buffer> {
  const [row] = (await db.query(`SELECT index_data FROM inventory_version WHERE id = $1`, [
    versionId,
  ])) as Array<{ index_data: Buffer | null }>;
  if (!row?.index_data) throw new Error(`inventory version ${versionId} has no index`);
  return row.index_data;
}

export async function recordSurfaceQuery(
  db: Db,
  q: { environmentId: string; versionId: string; kind: string; durationMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO surface_query (environment_id, version_id, kind, duration_ms) VALUES ($1, $2, $3, $4)`,
    [q.environmentId, q.versionId, q.kind, q.durationMs],
  );
}

/** Requests and their average time over any range, from stored data (not one process's memory). */
export async function surfaceQueryStats(
  db: Db,
  environmentId: string,
  range: { from: Date; to: Date },
): Promise<{ requestCount: number; averageRequestMs: number | null }> {
  const [row] = (await db.query(
    `SELECT count(*)::int AS "requestCount", avg(duration_ms) AS "averageRequestMs"
     FROM surface_query WHERE environment_id = $1 AND at >= $2 AND at < $3`,
    [environmentId, range.from, range.to],
  )) as Array<{ requestCount: number; averageRequestMs: number | null }>;
  return row;
}
