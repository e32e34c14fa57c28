import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../../../libs/telemetry';
import type { TestStack } from '../../../test/support/test-stack';

describe('/metrics', () => {
  let telemetry: Telemetry;
  let stack: TestStack;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'perimeter-test' });
    const { startTestStack } = await import('../../../test/support/test-stack.js');
    stack = await startTestStack({ telemetry });
    // A ready inventory, imported the way the import activity stores it.
    const { parseInventory } = await import('../../../activities/surface/inventory.js');
    const { buildSurfaceIndex, serializeIndex } =
      await import('../../../activities/surface/surface-index.js');
    const { createInventoryUpload, finishInventoryVersion } =
      await import('../../../libs/db/index.js');
    const content = Buffer.from(
      JSON.stringify({
        vms: [
          { vm_id: 'vm-a', name: 'a', tags: ['web'] },
          { vm_id: 'vm-b', name: 'b', tags: ['db'] },
        ],
        fw_rules: [{ fw_id: 'fw-1', source_tag: 'web', dest_tag: 'db' }],
      }),
    );
    const created = await createInventoryUpload(stack.db.dataSource, {
      organisationId: stack.organisationId,
      environment: 'prod',
      content,
      createdBy: null,
    });
    await finishInventoryVersion(stack.db.dataSource, created.versionId, {
      status: 'ready',
      vmCount: 2,
      ruleCount: 1,
      index: serializeIndex(buildSurfaceIndex(parseInventory(content))),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await telemetry?.shutdown();
  });

  it('counts attack-surface queries, their time and the VMs behind them, without credentials', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await stack.graphql(
        `query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: "vm-b") { vmId } }`,
        { o: stack.organisationId },
      );
      expect(res.errors).toBeUndefined();
    }
    const res = await fetch(stack.graphqlUrl.replace(/\/graphql$/, '/metrics'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/perimeter_surface_requests_total\{[^}]*environment="prod"[^}]*\} 3/);
    expect(text).toMatch(/perimeter_surface_request_duration_count\{[^}]*\} 3/);
    expect(text).toMatch(/perimeter_surface_vms\{environment="prod"[^}]*\} 2/);
  });
});
