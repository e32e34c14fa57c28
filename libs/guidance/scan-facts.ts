import type { Finding } from '../../activities/common/check-report';

/** One scanner's stored result, as the guidance step reads it. */
export interface ScannerResult {
  scanner: string;
  /** `completed`: findings are definite. `unknown`: could not determine. `failed`: the scanner broke. */
  status: 'completed' | 'unknown' | 'failed';
  findings: Finding[];
  /** The check's structured data (its report's `data`), when it has any. */
  data: Record<string, unknown> | null;
}

/** A stored `scan_result.data` as the checks write it: a CheckReport (or the DNS inventory). */
export function scannerResultOf(row: {
  scanner: string;
  status: string;
  data: Record<string, unknown> | null;
}): ScannerResult {
  const findings = Array.isArray(row.data?.findings) ? (row.data.findings as Finding[]) : [];
  const data = row.data?.data;
  return {
    scanner: row.scanner,
    status: row.status === 'completed' || row.status === 'unknown' ? row.status : 'failed',
    findings: findings.filter((f) => typeof f?.id === 'string'),
    data: data && typeof data === 'object' ? (data as Record<string, unknown>) : null,
  };
}

/**
 * Everything the rules may ask about one scan: which scanners ran, with what outcome, and which
 * findings they reported. Read-only; built once per evaluation.
 */
export class ScanFacts {
  private readonly byScanner = new Map<string, ScannerResult>();
  private readonly byFinding = new Map<string, Array<{ scanner: string; finding: Finding }>>();

  constructor(results: readonly ScannerResult[]) {
    for (const r of results) {
      this.byScanner.set(r.scanner, r);
      for (const finding of r.findings) {
        const list = this.byFinding.get(finding.id) ?? [];
        list.push({ scanner: r.scanner, finding });
        this.byFinding.set(finding.id, list);
      }
    }
  }

  get scanners(): string[] {
    return [...this.byScanner.keys()];
  }

  result(scanner: string): ScannerResult | undefined {
    return this.byScanner.get(scanner);
  }

  /** The scanner ran to a definite answer: absent findings really are absent. */
  completed(scanner: string): boolean {
    return this.byScanner.get(scanner)?.status === 'completed';
  }

  has(findingId: string): boolean {
    return this.byFinding.has(findingId);
  }

  hasAny(...findingIds: string[]): boolean {
    return findingIds.some((id) => this.byFinding.has(id));
  }

  /** Every occurrence of a finding (a check may report one id several times, e.g. per selector). */
  occurrences(findingId: string): Array<{ scanner: string; finding: Finding }> {
    return this.byFinding.get(findingId) ?? [];
  }

  /** Ids of every finding whose id starts with `prefix` (e.g. `web.`). */
  findingIdsWithPrefix(prefix: string): string[] {
    return [...this.byFinding.keys()].filter((id) => id.startsWith(prefix));
  }

  /** The scanner's structured data, or undefined when it did not complete. */
  data<T>(scanner: string): T | undefined {
    const r = this.byScanner.get(scanner);
    return r?.status === 'completed' && r.data ? (r.data as T) : undefined;
  }
}
