import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../../libs/temporal/ensure-search-attributes';
import { waitFor } from '../../libs/embedded/process-utils';
import { customSearchAttributes } from '../../libs/contracts';

/**
 * A Temporal namespace per test file: workers of parallel files then never take each other's
 * tasks (each file has its own database too).
 */
export async function createTestNamespace(address: string): Promise<string> {
  const namespace = `test-${randomBytes(5).toString('hex')}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await waitFor(`namespace ${namespace}`, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    await ensureSearchAttributes(connection, namespace);
    await waitFor(`search attributes in ${namespace}`, async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace,
      });
      const missing = customSearchAttributes.filter((a) => !customAttributes?.[a.name]);
      if (missing.length) throw new Error(`missing ${missing.map((a) => a.name).join(', ')}`);
    });
  } finally {
    await connection.close();
  }
  return namespace;
}
