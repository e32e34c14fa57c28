import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanKindAttribute, TaskQueues } from '../../../libs/contracts';
import { recordHistoryIfAsked } from '../../../test/support/record-history';
import { createApiKey } from '../../../test/support/test-principals';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';
import { surfaceCommand } from '../../cli/commands/surface.command';

/** web → app → db, plus a jump host that reaches web; db can reach nothing. */
const INVENTORY = {
  vms: [
    { vm_id: 'vm-jump', name: 'jump', tags: ['jump'] },
    { vm_id: 'vm-web', name: 'web', tags: ['web'] },
    { vm_id: 'vm-app', name: 'app', tags: ['app', 'internal'] },
    { vm_id: 'vm-db', name: 'db', tags: ['db'] },
    { vm_id: 'vm-lonely', name: 'lonely', tags: ['lonely'] },
  ],
  fw_rules: [
    { fw_id: 'fw-1', source_tag: 'jump', dest_tag: 'web' },
    { fw_id: 'fw-2', source_tag: 'web', dest_tag: 'app' },
    { fw_id: 'fw-3', source_tag: 'app', dest_tag: 'db' },
    { fw_id: 'fw-4', source_tag: 'internal', dest_tag: 'internal' },
    { fw_id: 'fw-5', source_tag: 'lonely', dest_tag: 'lonely' },
  ],
};

describe('attack surface through the API', () => {
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: { API_INVENTORY_MAX_BYTES: '65536' } });
    await stack.startWorker(TaskQueues.surface);
    dir = await mkdtemp(path.join(tmpdir(), 'perimeter-surface-'));
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const uploadUrl = (env: string) =>
    `${stack.graphqlUrl.replace(/\/graphql$/, '')}/organisations/${stack.organisationId}/environments/${env}/inventories`;

  async function upload(env: string, body: string, token: string | null = stack.token) {
    const res = await fetch(uploadUrl(env), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  async function settled(id: string) {
    for (let i = 0; i < 150; i++) {
      const { data } = await stack.graphql<{ inventoryVersion: Record<string, any> }>(
        `query($id: ID!) { inventoryVersion(id: $id) { status version vmCount ruleCount problems { path message } workflowId } }`,
        { id },
      );
      if (data!.inventoryVersion.status !== 'IMPORTING') return data!.inventoryVersion;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('import never finished');
  }

  const ask = <T>(query: string, vars: Record<string, unknown> = {}) =>
    stack.graphql<T>(query, { o: stack.organisationId, ...vars });

  it('imports an uploaded inventory as version 1 through a workflow', async () => {
    const { status, body } = await upload('prod', JSON.stringify(INVENTORY));
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'importing', version: 1, environment: 'prod' });
    const version = await settled(body.id);
    expect(version).toMatchObject({
      status: 'READY',
      version: 1,
      vmCount: 5,
      ruleCount: 5,
      problems: null,
    });
    await recordHistoryIfAsked(stack, version.workflowId);
    const described = await stack.client.workflow.getHandle(version.workflowId).describe();
    expect(described.typedSearchAttributes.get(ScanKindAttribute)).toBe('inventory');
  });

  it('answers direct and transitive attackers, paths, reach and exposure', async () => {
    const attackers = async (vmId: string, transitive: boolean) =>
      (
        await ask<{ surfaceAttackers: Array<{ vmId: string; kind: string }> }>(
          `query($o: ID!, $vm: String!, $t: Boolean!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: $vm, transitive: $t) { vmId kind } }`,
          { vm: vmId, t: transitive },
        )
      ).data!.surfaceAttackers;
    expect(await attackers('vm-db', false)).toEqual([{ vmId: 'vm-app', kind: 'DIRECT' }]);
    expect(await attackers('vm-db', true)).toEqual([
      { vmId: 'vm-app', kind: 'DIRECT' },
      { vmId: 'vm-jump', kind: 'TRANSITIVE' },
      { vmId: 'vm-web', kind: 'TRANSITIVE' },
    ]);
    // A self-loop rule does not make a VM its own attacker.
    expect(await attackers('vm-lonely', true)).toEqual([]);
    expect(await attackers('vm-jump', true)).toEqual([]);

    const path = await ask<{ surfacePath: string[] | null }>(
      `query($o: ID!) { surfacePath(organisationId: $o, environment: "prod", attacker: "vm-jump", target: "vm-db") }`,
    );
    expect(path.data!.surfacePath).toEqual(['vm-jump', 'vm-web', 'vm-app', 'vm-db']);
    const none = await ask<{ surfacePath: string[] | null }>(
      `query($o: ID!) { surfacePath(organisationId: $o, environment: "prod", attacker: "vm-db", target: "vm-jump") }`,
    );
    expect(none.data!.surfacePath).toBeNull();

    const reach = await ask<{ surfaceReachable: string[] }>(
      `query($o: ID!) { surfaceReachable(organisationId: $o, environment: "prod", vmId: "vm-web", transitive: true) }`,
    );
    expect([...reach.data!.surfaceReachable].sort()).toEqual(['vm-app', 'vm-db']);

    const exposed = await ask<{
      surfaceMostExposed: Array<{ vmId: string; transitiveAttackers: number }>;
    }>(
      `query($o: ID!) { surfaceMostExposed(organisationId: $o, environment: "prod", limit: 1) { vmId directAttackers transitiveAttackers } }`,
    );
    expect(exposed.data!.surfaceMostExposed[0].vmId).toBe('vm-db');
  });

  it('agrees with the CLI on the same inventory', async () => {
    const file = path.join(dir, 'inventory.json');
    await writeFile(file, JSON.stringify(INVENTORY));
    let printed = '';
    expect(
      await surfaceCommand(
        file,
        { vm: 'vm-db', transitive: true, format: 'json' },
        (l: string) => (printed += l),
      ),
    ).toBe(0);
    const cli = JSON.parse(printed) as { attackers: Array<{ vmId: string; kind: string }> };
    const api = await ask<{ surfaceAttackers: Array<{ vmId: string; kind: string }> }>(
      `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: "vm-db", transitive: true) { vmId kind } }`,
    );
    expect(api.data!.surfaceAttackers.map((a) => ({ ...a, kind: a.kind.toLowerCase() }))).toEqual(
      cli.attackers,
    );
  });

  it('tells an unknown VM from a VM nobody reaches', async () => {
    const res = await ask(
      `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: "vm-nope") { vmId } }`,
    );
    expect(res.errors?.[0].extensions?.code).toBe('UNKNOWN_VM');
    const missingEnv = await ask(
      `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "nowhere", vmId: "vm-db") { vmId } }`,
    );
    expect(missingEnv.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses an invalid inventory with every problem listed, and keeps answering from the last good one', async () => {
    const bad = {
      vms: [
        { vm_id: 'vm-x', name: 'x', tags: ['a'] },
        { vm_id: 'vm-x', name: 'dup', tags: ['a'] },
      ],
      fw_rules: [{ fw_id: 'fw-1', source_tag: 'a', dest_tag: 'ghost' }],
    };
    const { status, body } = await upload('prod', JSON.stringify(bad));
    expect(status).toBe(202);
    const version = await settled(body.id);
    expect(version.status).toBe('INVALID');
    expect(version.version).toBe(2);
    const messages = (version.problems as Array<{ path: string; message: string }>)
      .map((p) => `${p.path}: ${p.message}`)
      .join('\n');
    expect(messages).toMatch(/vm-x/);
    expect(messages).toMatch(/ghost/);
    const still = await ask<{ surfaceStats: { version: number; vmCount: number } }>(
      `query($o: ID!) { surfaceStats(organisationId: $o, environment: "prod") { version vmCount } }`,
    );
    expect(still.data!.surfaceStats).toEqual({ version: 1, vmCount: 5 });
  });

  it('refuses malformed, oversized and unauthorised uploads without storing anything', async () => {
    const before = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM inventory_upload`,
    );
    expect((await upload('prod', 'x'.repeat(70_000))).status).toBe(413);
    expect((await upload('prod', JSON.stringify(INVENTORY), null)).status).toBe(401);
    const viewer = await createApiKey(stack.db.dataSource, stack.organisationId, 'viewer');
    const forbidden = await upload('prod', JSON.stringify(INVENTORY), viewer.token);
    expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await upload('bad name!', JSON.stringify(INVENTORY))).status).toBe(400);
    expect(
      await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM inventory_upload`),
    ).toEqual(before);
  });

  it('counts requests and their time over any range, from stored data', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const stats = await ask<{
      surfaceStats: { requestCount: number; averageRequestMs: number | null };
    }>(
      `query($o: ID!, $from: DateTime!) { surfaceStats(organisationId: $o, environment: "prod", from: $from) { requestCount averageRequestMs } }`,
      { from: since },
    );
    expect(stats.data!.surfaceStats.requestCount).toBeGreaterThanOrEqual(9);
    expect(stats.data!.surfaceStats.averageRequestMs).toBeGreaterThanOrEqual(0);
    const past = await ask<{ surfaceStats: { requestCount: number } }>(
      `query($o: ID!) { surfaceStats(organisationId: $o, environment: "prod", from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z") { requestCount } }`,
    );
    expect(past.data!.surfaceStats.requestCount).toBe(0);
  });
});
