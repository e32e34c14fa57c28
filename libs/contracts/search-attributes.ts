import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, so the Temporal UI can filter scans by kind, target and organisation. */
export const ScanKindAttribute = defineSearchAttributeKey(
  'PerimeterScanKind',
  SearchAttributeType.KEYWORD,
);
export const ScanTargetAttribute = defineSearchAttributeKey(
  'PerimeterTarget',
  SearchAttributeType.KEYWORD,
);
export const OrganisationAttribute = defineSearchAttributeKey(
  'PerimeterOrganisation',
  SearchAttributeType.KEYWORD,
);

export const customSearchAttributes = [
  ScanKindAttribute,
  ScanTargetAttribute,
  OrganisationAttribute,
];
