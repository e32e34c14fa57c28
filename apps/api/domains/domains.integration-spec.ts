import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomainScan, createOrganisation, finishScan } from '../../../libs/db';
import { createApiKey } from '../../../test/support/test-principals';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

type Page<N> = {
  totalCount: number;
  edges: Array<{ cursor: string; node: N }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};
type Domain = { id: string; name: string; labels: string[]; dkimSelectors: string[] };

const DOMAINS = `query($o: ID!, $first: Int, $after: String, $last: Int, $before: String,
    $label: String, $search: String, $orderBy: DomainOrderField, $direction: OrderDirection) {
  domains(organisationId: $o, first: $first, after: $after, last: $last, before: $before,
      label: $label, search: $search, orderBy: $orderBy, direction: $direction) {
    totalCount
    edges { cursor node { id name labels dkimSelectors } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const ADD_MANY = `mutation($o: ID!, $d: [String!]!, $l: [String!]) {
  addDomains(organisationId: $o, domains: $d, labels: $l) { id name unicodeName labels }
}`;

describe('domains and paging over GraphQL', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Special-use names are refused as they would be in production.
    stack = await startTestStack({ env: { ALLOW_PRIVATE_TARGETS: 'false' } });
  }, 180_000);
  afterAll(() => stack?.stop(), 60_000);

  async function domainPage(variables: Record<string, unknown>) {
    const res = await stack.graphql<{ domains: Page<Domain> }>(DOMAINS, {
      o: stack.organisationId,
      ...variables,
    });
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.domains;
  }

  /** Every page forwards with `first`, then every page backwards with `last`. */
  async function walk(size: number, filters: Record<string, unknown> = {}) {
    const forwards: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page<Domain> = await domainPage({ ...filters, first: size, after });
      forwards.push(...page.edges.map((e) => e.node.name));
      pages++;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const backwards: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page<Domain> = await domainPage({ ...filters, last: size, before });
      backwards.unshift(...page.edges.map((e) => e.node.name));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    return { forwards, backwards, pages };
  }

  it('adds one domain, idempotently, with labels', async () => {
    const add = `mutation($o: ID!) { addDomain(organisationId: $o, domain: "Bücher.Example.com", labels: ["Web", "prod"]) { id name unicodeName labels } }`;
    const first = await stack.graphql<{ addDomain: Domain & { unicodeName: string } }>(add, {
      o: stack.organisationId,
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.addDomain).toMatchObject({
      name: 'xn--bcher-kva.example.com',
      unicodeName: 'bücher.example.com',
      labels: ['prod', 'web'],
    });
    const again = await stack.graphql<{ addDomain: Domain }>(add, { o: stack.organisationId });
    expect(again.data!.addDomain.id).toBe(first.data!.addDomain.id);
  });

  it('adds in bulk, all or none: an invalid list names every refusal and adds nothing', async () => {
    const before = (await domainPage({ first: 1 })).totalCount;
    const bad = await stack.graphql(ADD_MANY, {
      o: stack.organisationId,
      d: [
        'fine.example.com',
        'bad..example.com',
        '192.0.2.1',
        'also-fine.example.com',
        'nas.local',
      ],
    });
    expect(bad.data).toBeNull();
    const error = bad.errors![0]!;
    expect(error.extensions!.code).toBe('INVALID_DOMAIN_NAME');
    expect(error.message).toMatch(/3 of 5 names refused; nothing was added/);
    expect(
      (error.extensions!.invalid as Array<{ index: number; input: string; reason: string }>).map(
        (r) => [r.index, r.input, r.reason],
      ),
    ).toEqual([
      [1, 'bad..example.com', 'empty-label'],
      [2, '192.0.2.1', 'ip-literal'],
      [4, 'nas.local', 'special-use-name'],
    ]);
    expect((await domainPage({ first: 1 })).totalCount).toBe(before);

    const names = Array.from(
      { length: 23 },
      (_, i) => `d${String(i).padStart(2, '0')}.example.com`,
    );
    const ok = await stack.graphql<{ addDomains: Domain[] }>(ADD_MANY, {
      o: stack.organisationId,
      // Duplicates and another spelling of the same name are one domain.
      d: [...names, 'D00.EXAMPLE.COM.'],
      l: ['bulk', 'TEAM:mail'],
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.addDomains.map((d) => d.name)).toEqual(names);
    expect(ok.data!.addDomains[0]!.labels).toEqual(['bulk', 'team:mail']);
    expect((await domainPage({ first: 1 })).totalCount).toBe(before + 23);
  });

  it('refuses a lone special-use name as TARGET_NOT_ALLOWED, and bad labels as BAD_USER_INPUT', async () => {
    const res = await stack.graphql(
      `mutation($o: ID!) { addDomain(organisationId: $o, domain: "printer.internal") { id } }`,
      { o: stack.organisationId },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'TARGET_NOT_ALLOWED',
      reason: 'special-use-name',
    });
    const scan = await stack.graphql(
      `mutation($o: ID!) { requestDomainScan(organisationId: $o, domain: "router.home.arpa") { id } }`,
      { o: stack.organisationId },
    );
    expect(scan.errors?.[0]?.extensions?.code).toBe('TARGET_NOT_ALLOWED');
    const [{ n }] = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM scan WHERE target LIKE '%.arpa'`,
    )) as [{ n: number }];
    expect(n).toBe(0);
    const labels = await stack.graphql(ADD_MANY, {
      o: stack.organisationId,
      d: ['labelled.example.com'],
      l: ['ok', 'not ok', "x'; DROP TABLE domain; --"],
    });
    expect(labels.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(labels.errors?.[0]?.extensions?.invalidLabels).toHaveLength(2);
    expect((await domainPage({ search: 'labelled', first: 5 })).totalCount).toBe(0);
  });

  it('a name in two organisations is two memberships with their own labels', async () => {
    const other = await createOrganisation(stack.db.dataSource, { slug: 'second', name: 'Second' });
    const key = await createApiKey(stack.db.dataSource, other.id, 'operator');
    const theirs = await stack.graphql<{ addDomain: Domain }>(
      `mutation($o: ID!) { addDomain(organisationId: $o, domain: "d01.example.com", labels: ["theirs"]) { id labels } }`,
      { o: other.id },
      key.token,
    );
    const ours = (await domainPage({ search: 'd01.', first: 5 })).edges[0]!.node;
    expect(theirs.data!.addDomain.id).not.toBe(ours.id);
    expect(theirs.data!.addDomain.labels).toEqual(['theirs']);
    expect(ours.labels).toEqual(['bulk', 'team:mail']);
  });

  it('sets labels and DKIM selectors; filters by label and by search text', async () => {
    const d05 = (await domainPage({ search: 'd05', first: 1 })).edges[0]!.node;
    const set = await stack.graphql<{ setDomainLabels: Domain }>(
      `mutation($id: ID!) { setDomainLabels(id: $id, labels: ["Critical", "bulk", "critical"]) { labels } }`,
      { id: d05.id },
    );
    expect(set.data!.setDomainLabels.labels).toEqual(['bulk', 'critical']);
    const sel = await stack.graphql<{ setDkimSelectors: Domain }>(
      `mutation($id: ID!) { setDkimSelectors(id: $id, selectors: ["s2", "Mail.2024", "s2"]) { dkimSelectors } }`,
      { id: d05.id },
    );
    expect(sel.data!.setDkimSelectors.dkimSelectors).toEqual(['mail.2024', 's2']);
    const badSel = await stack.graphql(
      `mutation($id: ID!) { setDkimSelectors(id: $id, selectors: ["no spaces"]) { id } }`,
      { id: d05.id },
    );
    expect(badSel.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const labels = await stack.graphql<{
      domainLabels: Page<{ label: string; domainCount: number }>;
    }>(
      `query($o: ID!) { domainLabels(organisationId: $o, first: 2) { totalCount edges { node { label domainCount } } pageInfo { endCursor } } }`,
      { o: stack.organisationId },
    );
    expect(labels.data!.domainLabels.totalCount).toBe(5);
    expect(labels.data!.domainLabels.edges.map((e) => e.node)).toEqual([
      { label: 'bulk', domainCount: 23 },
      { label: 'critical', domainCount: 1 },
    ]);
    const more = await stack.graphql<{ domainLabels: Page<{ label: string }> }>(
      `query($o: ID!, $a: String) { domainLabels(organisationId: $o, first: 10, after: $a) { edges { node { label } } } }`,
      { o: stack.organisationId, a: labels.data!.domainLabels.pageInfo.endCursor },
    );
    expect(more.data!.domainLabels.edges.map((e) => e.node.label)).toEqual([
      'prod',
      'team:mail',
      'web',
    ]);

    const critical = await domainPage({ label: 'critical', first: 10 });
    expect(critical.edges.map((e) => e.node.name)).toEqual(['d05.example.com']);
    expect((await domainPage({ label: 'bulk', first: 1 })).totalCount).toBe(23);
    // LIKE wildcards are text: "_" matches only an underscore.
    expect((await domainPage({ search: 'd0_', first: 1 })).totalCount).toBe(0);
    expect((await domainPage({ search: 'D1', first: 50 })).totalCount).toBe(10);
    const unicode = await domainPage({ search: 'bücher', first: 5 });
    expect(unicode.edges.map((e) => e.node.name)).toEqual(['xn--bcher-kva.example.com']);
  });

  it('pages forwards and backwards through the same rows, by name and by creation', async () => {
    const all = (await domainPage({ first: 100 })).edges.map((e) => e.node.name);
    expect(all).toEqual([...all].sort());
    const byName = await walk(4);
    expect(byName.forwards).toEqual(all);
    expect(byName.backwards).toEqual(all);
    expect(byName.pages).toBe(Math.ceil(all.length / 4));

    const newest = await walk(5, { orderBy: 'CREATED_AT', direction: 'DESC' });
    expect(newest.forwards).toEqual(newest.backwards);
    expect(new Set(newest.forwards).size).toBe(all.length);
    expect(newest.forwards.at(-1)).toBe('xn--bcher-kva.example.com'); // added first

    const filtered = await walk(3, { label: 'bulk' });
    expect(filtered.forwards).toHaveLength(23);
    expect(filtered.backwards).toEqual(filtered.forwards);
  });

  it('refuses pages above the limit, bad paging arguments and foreign cursors', async () => {
    const tooBig = await stack.graphql(DOMAINS, { o: stack.organisationId, first: 101 });
    expect(tooBig.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooBig.errors?.[0]?.message).toMatch(/from 0 to 100/);
    for (const variables of [
      { first: 2, last: 2 },
      { first: -1 },
      { first: 2, after: 'bm90IGEgY3Vyc29y' },
      { first: 2, after: '!!' },
    ]) {
      const res = await stack.graphql(DOMAINS, { o: stack.organisationId, ...variables });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    // A cursor of the name ordering does not page the creation ordering.
    const byName = await domainPage({ first: 1 });
    const mixed = await stack.graphql(DOMAINS, {
      o: stack.organisationId,
      first: 1,
      after: byName.pageInfo.endCursor,
      orderBy: 'CREATED_AT',
    });
    expect(mixed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('applies an organisation’s own page cap, stored with it', async () => {
    const setCap = (maxPageSize: number | null) =>
      stack.db.dataSource.query(`UPDATE organisation SET max_page_size = $2 WHERE id = $1`, [
        stack.organisationId,
        maxPageSize,
      ]);
    await setCap(5);
    try {
      const res = await stack.graphql(DOMAINS, { o: stack.organisationId, first: 6 });
      expect(res.errors?.[0]?.message).toMatch(/from 0 to 5/);
      expect((await domainPage({ first: 5 })).edges).toHaveLength(5);
      const org = await stack.graphql<{ organisation: { maxPageSize: number } }>(
        `query($o: ID!) { organisation(id: $o) { maxPageSize } }`,
        { o: stack.organisationId },
      );
      expect(org.data!.organisation.maxPageSize).toBe(5);
    } finally {
      await setCap(null);
    }
  });

  it('pages scans by request time with status and domain filters, and a scan’s results', async () => {
    const ds = stack.db.dataSource;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { scan } = await createDomainScan(ds, {
        organisationId: stack.organisationId,
        domain: { ascii: i % 2 ? 'odd.example.com' : 'even.example.com', unicode: 'x' },
        requestedBy: null,
        scanners: ['dns', 'spf'],
      });
      if (i < 3) await finishScan(ds, scan.id, 'completed', null);
      ids.push(scan.id);
    }
    const SCANS = `query($o: ID!, $first: Int, $after: String, $last: Int, $before: String,
        $status: [ScanStatus!], $domain: String, $direction: OrderDirection) {
      scans(organisationId: $o, first: $first, after: $after, last: $last, before: $before,
          status: $status, domain: $domain, direction: $direction) {
        totalCount edges { node { id target status } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    type ScanPage = Page<{ id: string; target: string; status: string }>;
    const scans = async (v: Record<string, unknown>) =>
      (await stack.graphql<{ scans: ScanPage }>(SCANS, { o: stack.organisationId, ...v })).data!
        .scans;

    const forwards: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: ScanPage = await scans({ first: 3, after });
      expect(page.totalCount).toBe(7);
      forwards.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forwards).toEqual([...ids].reverse()); // newest first
    const oldestTwo = await scans({ last: 2 });
    expect(oldestTwo.edges.map((e) => e.node.id)).toEqual([ids[1], ids[0]]);
    const earlier = await scans({ last: 2, before: oldestTwo.pageInfo.startCursor });
    expect(earlier.edges.map((e) => e.node.id)).toEqual([ids[3], ids[2]]);
    const asc = await scans({ first: 2, direction: 'ASC' });
    expect(asc.edges.map((e) => e.node.id)).toEqual([ids[0], ids[1]]);

    expect((await scans({ first: 10, status: ['COMPLETED'] })).totalCount).toBe(3);
    expect((await scans({ first: 10, status: ['QUEUED', 'RUNNING'] })).totalCount).toBe(4);
    const odd = await scans({ first: 10, domain: 'ODD.example.com' });
    expect(odd.totalCount).toBe(3);
    expect(new Set(odd.edges.map((e) => e.node.target))).toEqual(new Set(['odd.example.com']));

    await stack.db.dataSource.query(
      `INSERT INTO scan_result (id, scan_id, scanner, status, data, started_at, finished_at)
       VALUES (gen_random_uuid(), $1, 'spf', 'completed', '{}', now(), now()),
              (gen_random_uuid(), $1, 'dns', 'unknown', '{}', now(), now())`,
      [ids[0]],
    );
    const RESULTS = `query($id: ID!, $first: Int, $after: String, $status: [ResultStatus!]) {
      scanResults(scanId: $id, first: $first, after: $after, status: $status) {
        totalCount edges { node { scanner status } } pageInfo { hasNextPage endCursor }
      }
    }`;
    type ResultPage = Page<{ scanner: string; status: string }>;
    const r1 = (await stack.graphql<{ scanResults: ResultPage }>(RESULTS, { id: ids[0], first: 1 }))
      .data!.scanResults;
    expect(r1.totalCount).toBe(2);
    expect(r1.edges.map((e) => e.node.scanner)).toEqual(['dns']);
    const r2 = (
      await stack.graphql<{ scanResults: ResultPage }>(RESULTS, {
        id: ids[0],
        first: 1,
        after: r1.pageInfo.endCursor,
      })
    ).data!.scanResults;
    expect(r2.edges.map((e) => e.node)).toEqual([{ scanner: 'spf', status: 'COMPLETED' }]);
    expect(r2.pageInfo.hasNextPage).toBe(false);
    const unknown = (
      await stack.graphql<{ scanResults: ResultPage }>(RESULTS, {
        id: ids[0],
        first: 5,
        status: ['UNKNOWN'],
      })
    ).data!.scanResults;
    expect(unknown.totalCount).toBe(1);
  });

  it('removes a domain; removing it again is NOT_FOUND', async () => {
    const d22 = (await domainPage({ search: 'd22', first: 1 })).edges[0]!.node;
    const remove = `mutation($id: ID!) { removeDomain(id: $id) }`;
    expect((await stack.graphql(remove, { id: d22.id })).data).toEqual({ removeDomain: true });
    expect((await domainPage({ search: 'd22', first: 1 })).totalCount).toBe(0);
    const again = await stack.graphql(remove, { id: d22.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
