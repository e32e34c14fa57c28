import { ParentClosePolicy } from '@temporalio/workflow';
import { domainScanStart, type ChildScanStart } from '../libs/contracts';

/** How a parent (an organisation scan, an audit run) starts one domain scan as its child. */
export function childDomainScanOptions(child: ChildScanStart) {
  return {
    ...domainScanStart(child),
    // A cancelled or terminated parent asks its children to stop, so their scans end "cancelled".
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  };
}
