/** Shared vocabulary of scans, used by the API, the workflows and the activities. */
export const ScanKinds = ['domain'] as const;
export type ScanKind = (typeof ScanKinds)[number];

export const ScanStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ScanStatus = (typeof ScanStatuses)[number];

/** Mail, DNS, web and transport posture checks; each is one activity with its own result row. */
export const PostureChecks = [
  'dmarc',
  'spf',
  'dkim',
  'mx',
  'mta-sts',
  'tls-rpt',
  'bimi',
  'dnssec',
  'caa',
  // Transport security: TLS of the web endpoint, SMTP STARTTLS on every MX host.
  'tls',
  'smtp',
  'web',
] as const;
export type PostureCheck = (typeof PostureChecks)[number];

/** Scanners of a domain scan; each is one activity with its own result row. */
export const DomainScanners = ['dns', ...PostureChecks] as const;
export type DomainScanner = (typeof DomainScanners)[number];

/** Named groups for `--only` and the API: `dns` and `mail` (with STARTTLS on every MX). */
export const ScannerGroups: Record<string, readonly DomainScanner[]> = {
  dns: ['dns', 'dnssec', 'caa'],
  mail: ['dmarc', 'spf', 'dkim', 'mx', 'mta-sts', 'tls-rpt', 'bimi', 'smtp'],
};

/** `dns` names the group; the DNS inventory alone is `dns-inventory`. */
const ScannerAliases: Record<string, DomainScanner> = { 'dns-inventory': 'dns' };

/** Expands groups (`mail,dns`), aliases and names (`spf`) into scanners, in canonical order. */
export function resolveScanners(names: readonly string[]): DomainScanner[] {
  const wanted = new Set<string>();
  for (const name of names) {
    const alias = ScannerAliases[name];
    for (const s of ScannerGroups[name] ?? [alias ?? name]) wanted.add(s);
  }
  const unknown = [...wanted].filter((s) => !(DomainScanners as readonly string[]).includes(s));
  if (unknown.length) {
    throw new RangeError(
      `unknown scanner(s): ${unknown.join(', ')}; known: ${[
        ...Object.keys(ScannerGroups),
        ...Object.keys(ScannerAliases),
        ...DomainScanners.filter((s) => !ScannerGroups[s]),
      ].join(', ')}`,
    );
  }
  return DomainScanners.filter((s) => wanted.has(s));
}

/** `could-not-determine`: finished, but answers stayed incomplete (result status `unknown`). */
export const ScannerStates = [
  'pending',
  'running',
  'done',
  'failed',
  'could-not-determine',
  'cancelled',
] as const;
export type ScannerState = (typeof ScannerStates)[number];

/** Outcome of one scanner: `completed` holds findings; `unknown` means it could not determine them. */
export const ResultStatuses = ['completed', 'unknown', 'failed'] as const;
export type ResultStatus = (typeof ResultStatuses)[number];

export function domainScanWorkflowId(scanId: string): string {
  return `domain-scan:${scanId}`;
}
