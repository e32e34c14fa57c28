import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type {
  InventoryImportActivities,
  InventoryImportInput,
  InventoryImportOutcome,
} from '../libs/contracts';

const { importInventory } = proxyActivities<InventoryImportActivities>({
  // Parsing and indexing 100k VMs / 1M rules takes seconds; the margin is for slow machines.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

const { markInventoryFailed } = proxyActivities<InventoryImportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 20 },
});

/** One inventory upload becomes one version of its cloud environment. */
export async function inventoryImport(
  input: InventoryImportInput,
): Promise<InventoryImportOutcome> {
  try {
    return await importInventory(input);
  } catch (err) {
    const message = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    await markInventoryFailed({ versionId: input.versionId, error: message });
    throw err;
  }
}
