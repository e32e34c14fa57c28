import type { ScanStatus } from '../contracts/scan.contract';
import type { KeysetQuery } from './keyset-page';

const SCAN_COLUMNS = `s.id, s.kind, s.target, s.organisation_id AS "organisationId",
  s.domain_id AS "domainId", s.status, s.workflow_id AS "workflowId",
  s.requested_at AS "requestedAt", s.started_at AS "startedAt", s.finished_at AS "finishedAt",
  s.error, s.scanners, s.requested_by AS "requestedBy"`;

/** An organisation's scans by request time: filter by status and by domain (id or name). */
export function scansQuery(
  organisationId: string,
  opts: {
    statuses?: ScanStatus[];
    domainId?: string;
    domain?: string;
    direction: 'ASC' | 'DESC';
  },
): KeysetQuery {
  const where = ['s.organisation_id = $1'];
  const params: unknown[] = [organisationId];
  if (opts.statuses?.length) {
    params.push(opts.statuses);
    where.push(`s.status = ANY($${params.length}::text[])`);
  }
  if (opts.domainId) {
    params.push(opts.domainId);
    where.push(`s.domain_id = $${params.length}::uuid`);
  }
  if (opts.domain) {
    params.push(opts.domain);
    where.push(`s.target = $${params.length}`);
  }
  return {
    select: SCAN_COLUMNS,
    from: 'scan s',
    where,
    params,
    order: [
      {
        expr: 's.requested_at',
        alias: 'requestedAt',
        type: 'timestamptz',
        direction: opts.direction,
      },
      { expr: 's.id', alias: 'id', type: 'uuid', direction: opts.direction },
    ],
  };
}

/** One scan's results, by scanner name; optionally of some result statuses only. */
export function scanResultsQuery(scanId: string, opts: { statuses?: string[] }): KeysetQuery {
  const where = ['r.scan_id = $1'];
  const params: unknown[] = [scanId];
  if (opts.statuses?.length) {
    params.push(opts.statuses);
    where.push(`r.status = ANY($${params.length}::text[])`);
  }
  return {
    select: `r.id, r.scan_id AS "scanId", r.scanner, r.status, r.data, r.error, r.attempt,
             r.started_at AS "startedAt", r.finished_at AS "finishedAt"`,
    from: 'scan_result r',
    where,
    params,
    order: [
      { expr: 'r.scanner', alias: 'scanner', type: 'text', direction: 'ASC' },
      { expr: 'r.id', alias: 'id', type: 'uuid', direction: 'ASC' },
    ],
  };
}
