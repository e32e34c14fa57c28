import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { InventoryImportActivities } from '../libs/contracts';
import { finishInventoryVersion, readInventoryUpload } from '../libs/db/surface.repository';
import { InvalidInventory, parseInventory } from './surface/inventory';
import { buildSurfaceIndex, serializeIndex } from './surface/surface-index';
import { stats } from './surface/surface-queries';

/** Inventory import: parse and validate the upload, build the index, store the version. */
export function createInventoryImportActivities(deps: {
  dataSource: DataSource;
}): InventoryImportActivities {
  return {
    async importInventory({ versionId, uploadId }) {
      const ctx = Context.current();
      const raw = await readInventoryUpload(deps.dataSource, uploadId);
      ctx.heartbeat('parsing');
      let inventory;
      try {
        inventory = parseInventory(raw);
      } catch (err) {
        if (!(err instanceof InvalidInventory)) throw err;
        // Bad input is an outcome to record, not a failure to retry.
        await finishInventoryVersion(deps.dataSource, versionId, {
          status: 'invalid',
          problems: err.problems,
        });
        return { status: 'invalid', problemCount: err.problemCount };
      }
      ctx.heartbeat('indexing');
      const index = buildSurfaceIndex(inventory);
      const { vmCount, ruleCount } = stats(index);
      ctx.heartbeat('storing');
      await finishInventoryVersion(deps.dataSource, versionId, {
        status: 'ready',
        vmCount,
        ruleCount,
        index: serializeIndex(index),
      });
      return { status: 'ready', vmCount, ruleCount };
    },

    async markInventoryFailed({ versionId, error }) {
      await finishInventoryVersion(deps.dataSource, versionId, { status: 'failed', error });
    },
  };
}
