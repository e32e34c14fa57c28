import type { ApiClient } from './api-client';
import { bar, LiveView } from './live-view';
import { render } from './output';
import { list, withClient, type RemoteOptions } from './remote';

const SCANNER_FIELDS = 'progress { scanner state resultStatus error }';

interface ScanView {
  id: string;
  target: string;
  status: string;
  progress: Array<{ scanner: string; state: string; resultStatus: string | null }>;
}

function scanLines(scan: ScanView) {
  return [
    { key: 'scan', text: `${scan.target}  ${scan.status}` },
    ...scan.progress.map((p) => ({
      key: p.scanner,
      text: `  ${p.scanner.padEnd(10)} ${p.state.toLowerCase().padEnd(8)} ${(p.resultStatus ?? '').toLowerCase()}`,
    })),
  ];
}

/**
 * Follows a scan until it has finished: the `scanProgress` subscription pushes the scan again on
 * every change of its status or of any scanner's progress, and completes when the scan ends.
 */
async function followScan(client: ApiClient, id: string): Promise<void> {
  const view = new LiveView();
  await client.subscribe<{ scanProgress: ScanView }>(
    `subscription($id: ID!) { scanProgress(scanId: $id) { id target status ${SCANNER_FIELDS} } }`,
    { id },
    ({ scanProgress }) => view.update(scanLines(scanProgress)),
  );
}

/** `perimeter --server URL scan domain <name> [--only …] [--no-follow] [--format json|table]` */
export function remoteScanDomainCommand(
  name: string,
  opts: RemoteOptions & { only?: string; dkimSelectors?: string; follow: boolean },
): Promise<number> {
  return withClient(opts, async (client) => {
    const organisationId = await client.organisationId(opts.organisation);
    const { requestDomainScan: scan } = await client.request<{
      requestDomainScan: { id: string; workflowId: string };
    }>(
      `mutation($o: ID!, $d: String!, $s: [String!], $k: [String!]) {
        requestDomainScan(organisationId: $o, domain: $d, scanners: $s, dkimSelectors: $k) { id workflowId }
      }`,
      { o: organisationId, d: name, s: list(opts.only), k: list(opts.dkimSelectors) },
    );
    console.error(`scan ${scan.id} (workflow ${scan.workflowId})`);
    if (!opts.follow) {
      console.log(opts.format === 'json' ? JSON.stringify(scan) : scan.id);
      return 0;
    }
    await followScan(client, scan.id);
    const { scan: done } = await client.request<{
      scan: {
        id: string;
        target: string;
        status: string;
        results: Array<{
          scanner: string;
          status: string;
          error: string | null;
          findings: Array<{ id: string; severity: string }>;
        }>;
      };
    }>(
      `query($id: ID!) { scan(id: $id) { id target status workflowId requestedAt startedAt finishedAt error
        results { scanner status error findings { id severity message } } } }`,
      { id: scan.id },
    );
    const rows = done.results.map((r) => ({
      scanner: r.scanner,
      status: r.status.toLowerCase(),
      findings: r.findings.map((f) => `${f.severity.toLowerCase()} ${f.id}`).join('\n'),
      error: r.error ?? '',
    }));
    console.log(render(opts.format, done, rows, ['scanner', 'status', 'findings', 'error']));
    return done.status === 'COMPLETED' ? 0 : 1;
  });
}

interface OrgScanView {
  id: string;
  status: string;
  progress: { total: number; pending: number; running: number; done: number; failed: number };
}

function orgLines(s: OrgScanView) {
  const p = s.progress;
  return [
    { key: 'status', text: `organisation scan ${s.id}  ${s.status}` },
    {
      key: 'progress',
      text: `  ${bar(p.done + p.failed, p.total)}  running ${p.running}  failed ${p.failed}`,
    },
  ];
}

/** `perimeter --server URL scan organisation [--only …] [--concurrency N] [--format json|table]` */
export function remoteScanOrganisationCommand(
  opts: RemoteOptions & { only?: string; concurrency?: number; follow: boolean },
): Promise<number> {
  return withClient(opts, async (client) => {
    const organisationId = await client.organisationId(opts.organisation);
    const { requestOrganisationScan: scan } = await client.request<{
      requestOrganisationScan: { id: string; workflowId: string };
    }>(
      `mutation($o: ID!, $s: [String!], $c: Int) {
        requestOrganisationScan(organisationId: $o, scanners: $s, concurrency: $c) { id workflowId }
      }`,
      { o: organisationId, s: list(opts.only), c: opts.concurrency },
    );
    console.error(`organisation scan ${scan.id} (workflow ${scan.workflowId})`);
    if (!opts.follow) {
      console.log(opts.format === 'json' ? JSON.stringify(scan) : scan.id);
      return 0;
    }
    const view = new LiveView();
    const fields = 'id status progress { total pending running done failed }';
    await client.subscribe<{ organisationScanUpdated: OrgScanView }>(
      `subscription($id: ID!) { organisationScanUpdated(id: $id) { ${fields} } }`,
      { id: scan.id },
      ({ organisationScanUpdated }) => view.update(orgLines(organisationScanUpdated)),
    );
    const { organisationScan: done } = await client.request<{
      organisationScan: OrgScanView & {
        scans: Array<{ id: string; target: string; status: string }>;
      };
    }>(
      `query($id: ID!) { organisationScan(id: $id) { ${fields} workflowId requestedAt startedAt
        finishedAt error scans(first: 500) { id target status workflowId } } }`,
      { id: scan.id },
    );
    view.update(orgLines(done));
    const rows = done.scans.map((s) => ({
      domain: s.target,
      status: s.status.toLowerCase(),
      scan: s.id,
    }));
    console.log(render(opts.format, done, rows, ['domain', 'status', 'scan']));
    return done.status === 'COMPLETED' && done.progress.failed === 0 ? 0 : 1;
  });
}

/** `perimeter --server URL domains [--format json|table]` */
export function remoteDomainsCommand(opts: RemoteOptions): Promise<number> {
  return withClient(opts, async (client) => {
    const organisationId = await client.organisationId(opts.organisation);
    type Domain = {
      id: string;
      name: string;
      unicodeName: string;
      labels: string[];
      createdAt: string;
      /** From the domain's newest evaluated scan; null before its first scan. */
      compliance: { web: string; mail: string; dmarcPhase: string } | null;
    };
    type Page = {
      domains: {
        nodes: Domain[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    // Every page of the Relay connection, in name order.
    const domains: Domain[] = [];
    for (let after: string | null = null; ;) {
      const page: Page = await client.request<Page>(
        `query($o: ID!, $after: String) { domains(organisationId: $o, first: 100, after: $after) {
           nodes { id name unicodeName labels createdAt compliance { web mail dmarcPhase } }
           pageInfo { hasNextPage endCursor } } }`,
        { o: organisationId, after },
      );
      domains.push(...page.domains.nodes);
      if (!page.domains.pageInfo.hasNextPage) break;
      after = page.domains.pageInfo.endCursor;
    }
    const rows = domains.map((d) => ({
      domain: d.unicodeName === d.name ? d.name : `${d.unicodeName} (${d.name})`,
      labels: d.labels.join(', '),
      web: d.compliance?.web.toLowerCase() ?? 'not scanned',
      mail: d.compliance?.mail.toLowerCase() ?? 'not scanned',
      'dmarc phase': d.compliance?.dmarcPhase.toLowerCase() ?? '',
      added: d.createdAt.slice(0, 10),
      id: d.id,
    }));
    console.log(
      render(opts.format, domains, rows, [
        'domain',
        'labels',
        'web',
        'mail',
        'dmarc phase',
        'added',
        'id',
      ]),
    );
    return 0;
  });
}
