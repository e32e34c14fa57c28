/** Importing a cloud inventory: validate, store as a new version, precompute the surface index. */
export interface InventoryImportInput {
  versionId: string;
  uploadId: string;
}

export interface InventoryImportOutcome {
  status: 'ready' | 'invalid';
  vmCount?: number;
  ruleCount?: number;
  problemCount?: number;
}

export interface InventoryImportActivities {
  importInventory(input: InventoryImportInput): Promise<InventoryImportOutcome>;
  markInventoryFailed(input: { versionId: string; error: string }): Promise<void>;
}

export function inventoryImportWorkflowId(versionId: string): string {
  return `inventory-import:${versionId}`;
}
