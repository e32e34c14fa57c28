import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskQueues } from '../../../libs/contracts';
import { createOrganisationWithKey } from '../../../test/support/test-principals';
import { startTestS3Server, type TestS3Server } from '../../../test/support/s3-server';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

/** web → app → db; db reaches nothing. */
const INVENTORY = {
  vms: [
    { vm_id: 'vm-web', name: 'web', tags: ['web'] },
    { vm_id: 'vm-app', name: 'app', tags: ['app'] },
    { vm_id: 'vm-db', name: 'db', tags: ['db'] },
  ],
  fw_rules: [
    { fw_id: 'fw-1', source_tag: 'web', dest_tag: 'app' },
    { fw_id: 'fw-2', source_tag: 'app', dest_tag: 'db' },
  ],
};

describe('attack surface: inventories imported from a bucket object (real S3 server)', () => {
  let stack: TestStack;
  let s3: TestS3Server;
  let bucketId: string;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    stack = await startTestStack({ env: { ...s3.env, API_INVENTORY_MAX_BYTES: '4096' } });
    await stack.startWorker(TaskQueues.surface);
    await s3.createBucket('inventories');
    await s3.put('inventories', 'prod/2026-11-22.json', JSON.stringify(INVENTORY));
    await s3.put('inventories', 'broken.json', JSON.stringify({ vms: [{ vm_id: 'a' }, {}] }));
    await s3.put('inventories', 'huge.json', 'x'.repeat(5000));
    const res = await stack.graphql<{ registerBucket: { id: string } }>(
      `mutation($o: ID!) { registerBucket(organisationId: $o, name: "inventories",
         settings: { scanOnUpload: false }) { id } }`,
      { o: stack.organisationId },
    );
    expect(res.errors).toBeUndefined();
    bucketId = res.data!.registerBucket.id;
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  const importFrom = (key: string, environment = 'prod', token?: string, o?: string) =>
    stack.graphql<{ importInventoryFromBucket: { id: string; status: string; version: number } }>(
      `mutation($o: ID!, $e: String!, $b: ID!, $k: String!) {
         importInventoryFromBucket(organisationId: $o, environment: $e, bucketId: $b, key: $k) {
           id status version } }`,
      { o: o ?? stack.organisationId, e: environment, b: bucketId, k: key },
      token,
    );

  async function settled(id: string) {
    for (let i = 0; i < 150; i++) {
      const { data } = await stack.graphql<{ inventoryVersion: Record<string, any> }>(
        `query($id: ID!) { inventoryVersion(id: $id) { status vmCount ruleCount problems { path message } } }`,
        { id },
      );
      if (data!.inventoryVersion.status !== 'IMPORTING') return data!.inventoryVersion;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('import never finished');
  }

  it('imports the object as the next version and answers from it', async () => {
    const res = await importFrom('prod/2026-11-22.json');
    expect(res.errors).toBeUndefined();
    expect(res.data!.importInventoryFromBucket).toMatchObject({ status: 'IMPORTING', version: 1 });
    const version = await settled(res.data!.importInventoryFromBucket.id);
    expect(version).toMatchObject({ status: 'READY', vmCount: 3, ruleCount: 2 });
    const attackers = await stack.graphql<{ surfaceAttackers: Array<{ vmId: string }> }>(
      `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: "vm-db",
         transitive: true) { vmId } }`,
      { o: stack.organisationId },
    );
    expect(attackers.data!.surfaceAttackers.map((a) => a.vmId).sort()).toEqual([
      'vm-app',
      'vm-web',
    ]);
  });

  it('an invalid inventory in the object makes an INVALID version listing the problems; nothing is imported', async () => {
    const res = await importFrom('broken.json', 'staging');
    const version = await settled(res.data!.importInventoryFromBucket.id);
    expect(version.status).toBe('INVALID');
    expect(version.problems.length).toBeGreaterThan(0);
    const gone = await stack.graphql(
      `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "staging", vmId: "a") { vmId } }`,
      { o: stack.organisationId },
    );
    expect(gone.errors?.[0]?.extensions?.code).toBe('NO_INVENTORY');
  });

  it('refuses a missing object, an oversized one and another organisation’s bucket, storing nothing', async () => {
    const before = await stack.graphql<{ inventoryVersions: unknown[] }>(
      `query($o: ID!) { inventoryVersions(organisationId: $o) { id } }`,
      { o: stack.organisationId },
    );
    const missing = await importFrom('nope.json');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.message).toMatch(/no object "nope.json"/);
    const huge = await importFrom('huge.json');
    expect(huge.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');

    // Someone else's organisation cannot name this bucket, even as an admin of their own.
    const other = await createOrganisationWithKey(stack.db.dataSource);
    const foreign = await importFrom(
      'prod/2026-11-22.json',
      'prod',
      other.token,
      other.organisationId,
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const after = await stack.graphql<{ inventoryVersions: unknown[] }>(
      `query($o: ID!) { inventoryVersions(organisationId: $o) { id } }`,
      { o: stack.organisationId },
    );
    expect(after.data!.inventoryVersions.length).toBe(before.data!.inventoryVersions.length);
  });
});
