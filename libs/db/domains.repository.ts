import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEntity } from './entities';
import type { KeysetQuery } from './keyset-page';

type Db = DataSource | EntityManager;

export type DomainOrder = 'name' | 'createdAt';

/** Escapes LIKE's wildcards so a search for `a_b` finds `a_b`, not `axb`. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** An organisation's domains as a keyset query: filter by label and by text in the name. */
export function domainsQuery(
  organisationId: string,
  opts: { label?: string; search?: string; order: DomainOrder; direction: 'ASC' | 'DESC' },
): KeysetQuery {
  const where = ['d.organisation_id = $1'];
  const params: unknown[] = [organisationId];
  if (opts.label) {
    params.push([opts.label]);
    where.push(`d.labels @> $${params.length}::text[]`);
  }
  if (opts.search) {
    params.push(`%${likeEscape(opts.search)}%`);
    where.push(`(d.name ILIKE $${params.length} OR d.unicode_name ILIKE $${params.length})`);
  }
  const first =
    opts.order === 'name'
      ? { expr: 'd.name', alias: 'name', type: 'text' as const }
      : { expr: 'd.created_at', alias: 'createdAt', type: 'timestamptz' as const };
  return {
    select: `d.id, d.organisation_id AS "organisationId", d.name, d.unicode_name AS "unicodeName",
             d.labels, d.dkim_selectors AS "dkimSelectors", d.created_at AS "createdAt"`,
    from: 'domain d',
    where,
    params,
    order: [
      { ...first, direction: opts.direction },
      { expr: 'd.id', alias: 'id', type: 'uuid', direction: opts.direction },
    ],
  };
}

/** The labels in use in an organisation, by name, each with how many domains carry it. */
export function domainLabelsQuery(organisationId: string): KeysetQuery {
  return {
    select: 't.label, t."domainCount"',
    from: `(SELECT l AS label, count(*)::int AS "domainCount"
            FROM domain d CROSS JOIN LATERAL unnest(d.labels) AS l
            WHERE d.organisation_id = $1 GROUP BY l) t`,
    where: [],
    params: [organisationId],
    order: [{ expr: 't.label', alias: 'label', type: 'text', direction: 'ASC' }],
  };
}

/**
 * Adds the names (already validated) to the organisation in one statement; names it already has
 * are kept as they are, new ones get `labels`. Returns every named domain, in input order.
 */
export async function addDomains(
  m: EntityManager,
  organisationId: string,
  names: Array<{ ascii: string; unicode: string }>,
  labels: string[],
): Promise<{ domains: DomainEntity[]; added: DomainEntity[] }> {
  const inserted = (await m.query(
    `INSERT INTO domain (id, organisation_id, name, unicode_name, labels)
     SELECT id, $1, name, unicode_name, $5::text[]
     FROM unnest($2::uuid[], $3::text[], $4::text[]) AS n(id, name, unicode_name)
     ON CONFLICT (organisation_id, name) DO NOTHING
     RETURNING id`,
    [
      organisationId,
      names.map(() => randomUUID()),
      names.map((n) => n.ascii),
      names.map((n) => n.unicode),
      labels,
    ],
  )) as Array<{ id: string }>;
  const rows = await m
    .getRepository(DomainEntity)
    .createQueryBuilder('d')
    .where('d.organisation_id = :organisationId AND d.name IN (:...names)', {
      organisationId,
      names: names.map((n) => n.ascii),
    })
    .getMany();
  const byName = new Map(rows.map((d) => [d.name, d]));
  const addedIds = new Set(inserted.map((r) => r.id));
  const domains = names.map((n) => byName.get(n.ascii)!);
  return { domains, added: domains.filter((d) => addedIds.has(d.id)) };
}

export async function setDomainLabels(db: Db, id: string, labels: string[]): Promise<void> {
  await db.query(`UPDATE domain SET labels = $2 WHERE id = $1`, [id, labels]);
}

export async function setDomainDkimSelectors(
  db: Db,
  id: string,
  selectors: string[],
): Promise<void> {
  await db.query(`UPDATE domain SET dkim_selectors = $2 WHERE id = $1`, [id, selectors]);
}

/** The organisation's own page-size cap, or null for the configured default. */
export async function organisationPageSize(db: Db, organisationId: string): Promise<number | null> {
  const rows = (await db.query(`SELECT max_page_size FROM organisation WHERE id = $1`, [
    organisationId,
  ])) as Array<{ max_page_size: number | null }>;
  return rows[0]?.max_page_size ?? null;
}

export async function setOrganisationPageSize(
  db: Db,
  organisationId: string,
  maxPageSize: number | null,
): Promise<void> {
  await db.query(`UPDATE organisation SET max_page_size = $2 WHERE id = $1`, [
    organisationId,
    maxPageSize,
  ]);
}
