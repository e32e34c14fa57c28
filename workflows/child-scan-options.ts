import { ParentClosePolicy } from '@temporalio/workflow';
import {
  OrganisationAttribute,
  ScanKindAttribute,
  ScanTargetAttribute,
  TaskQueues,
  type ChildScanStart,
} from '../libs/contracts';

/** How a parent (an organisation scan, an audit run) starts one domain scan as its child. */
export function childDomainScanOptions(child: ChildScanStart) {
  return {
    workflowId: child.workflowId,
    taskQueue: TaskQueues.domainScans,
    args: [child.input] as [typeof child.input],
    // A cancelled or terminated parent asks its children to stop, so their scans end "cancelled".
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    typedSearchAttributes: [
      { key: ScanKindAttribute, value: 'domain' },
      { key: ScanTargetAttribute, value: child.target.ascii },
      { key: OrganisationAttribute, value: child.organisationSlug },
    ],
    memo: { target: child.target.unicode, organisation: child.organisationSlug },
  };
}
