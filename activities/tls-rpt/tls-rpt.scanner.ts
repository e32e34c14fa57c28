import type { CheckReport, Finding } from '../common/check-report';
import { lookupTxt, type CheckContext } from '../common/dns-lookup';
import {
  isTlsRptRecord,
  looksLikeTlsRpt,
  parseTlsRptRecord,
  type TlsRptUri,
} from './tls-rpt-record';

export interface TlsRptData {
  /** `_smtp._tls.<domain>` */
  name: string;
  /** TXT values starting with v=TLSRPTv1 (more than one is a finding). */
  records: string[];
  /** The record judged, when there is exactly one. */
  record: string | null;
  /** Its destinations. */
  rua: TlsRptUri[];
  extensions: Record<string, string>;
}

/** Findings and data from the TXT strings at `_smtp._tls.<domain>`. */
export function judgeTlsRpt(
  name: string,
  values: string[],
): { findings: Finding[]; data: TlsRptData } {
  const records = values.filter(isTlsRptRecord);
  const data: TlsRptData = { name, records, record: null, rua: [], extensions: {} };
  const findings: Finding[] = [];
  if (records.length > 1) {
    findings.push({
      id: 'tls-rpt.multiple-records',
      severity: 'fail',
      message: `${name} has ${records.length} TLS-RPT records; senders then send no reports.`,
      evidence: { records },
    });
    return { findings, data };
  }
  if (records.length === 0) {
    const attempts = values.filter(looksLikeTlsRpt);
    if (attempts.length > 0) {
      findings.push({
        id: 'tls-rpt.syntax-error',
        severity: 'fail',
        message: `The TXT record at ${name} does not start with exactly 'v=TLSRPTv1': senders ignore it.`,
        evidence: { records: attempts },
      });
    } else {
      findings.push({
        id: 'tls-rpt.missing',
        severity: 'info',
        message: `No TLS-RPT record at ${name}: failures to deliver over TLS go unreported.`,
        evidence: { name },
      });
    }
    return { findings, data };
  }
  const record = records[0]!;
  data.record = record;
  const parsed = parseTlsRptRecord(record);
  if (!parsed.ok) {
    findings.push({
      id: 'tls-rpt.syntax-error',
      severity: 'fail',
      message: `The TLS-RPT record at ${name} is malformed: ${parsed.error}.`,
      evidence: { record },
    });
    return { findings, data };
  }
  data.rua = parsed.record.rua;
  data.extensions = parsed.record.extensions;
  const bad = parsed.record.rua.filter((u) => !u.valid);
  for (const u of bad) {
    findings.push({
      id: 'tls-rpt.invalid-rua',
      severity: 'fail',
      message: `TLS-RPT destination '${u.uri}' is not a mailto: address or an https: URL.`,
      evidence: { record, uri: u.uri },
    });
  }
  if (bad.length === 0) {
    findings.push({
      id: 'tls-rpt.valid',
      severity: 'pass',
      message: `TLS reports go to ${parsed.record.rua.map((u) => u.uri).join(', ')}.`,
      evidence: { record },
    });
  }
  return { findings, data };
}

/** The domain's SMTP TLS reporting record (RFC 8460) at `_smtp._tls.<domain>`. */
export async function scanTlsRpt(
  domain: string,
  ctx: CheckContext,
): Promise<CheckReport<TlsRptData>> {
  const base = domain.toLowerCase().replace(/\.$/, '');
  const name = `_smtp._tls.${base}`;
  const txt = await lookupTxt(ctx.resolver, name);
  if (txt.status === 'unknown') {
    return {
      check: 'tls-rpt',
      domain: base,
      status: 'unknown',
      findings: [],
      data: { name, records: [], record: null, rua: [], extensions: {} },
      undetermined: [{ name, type: 'TXT', code: txt.error?.code ?? 'EUNKNOWN' }],
    };
  }
  const { findings, data } = judgeTlsRpt(
    name,
    txt.records.map((r) => r.value),
  );
  return { check: 'tls-rpt', domain: base, status: 'completed', findings, data, undetermined: [] };
}
