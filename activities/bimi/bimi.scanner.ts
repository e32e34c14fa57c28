import { namesUpToRegistrable } from '../caa/public-suffix';
import type { CheckReport, Finding } from '../common/check-report';
import { lookupTxt, type CheckContext } from '../common/dns-lookup';
import { httpsUrlProblem, isBimiRecord, parseBimiRecord } from './bimi-record';

export interface BimiData {
  /** The names asked (`default._bimi.<domain>`, then the organisational domain's). */
  checkedNames: string[];
  /** The name whose record applies, or null. */
  effectiveFrom: string | null;
  /** The TXT values there starting with v=BIMI1. */
  records: string[];
  record: string | null;
  location: string | null;
  authority: string | null;
  avatarPreference: string | null;
  declined: boolean;
  /**
   * Always false for now: downloading and validating the SVG (SVG Tiny PS) and the mark
   * certificate needs HTTPS in the lab, which a later piece adds. Only the record is judged.
   */
  svgFetched: false;
  certificateFetched: false;
}

/** Findings and data from the BIMI TXT values found at `name`. */
export function judgeBimi(
  name: string,
  values: string[],
): { findings: Finding[]; data: Omit<BimiData, 'checkedNames' | 'effectiveFrom'> } {
  const records = values.filter(isBimiRecord);
  const data = {
    records,
    record: null as string | null,
    location: null as string | null,
    authority: null as string | null,
    avatarPreference: null as string | null,
    declined: false,
    svgFetched: false as const,
    certificateFetched: false as const,
  };
  const findings: Finding[] = [];
  if (records.length === 0) {
    findings.push({
      id: 'bimi.missing',
      severity: 'info',
      message: `No BIMI record at ${name}.`,
      evidence: { name },
    });
    return { findings, data };
  }
  if (records.length > 1) {
    findings.push({
      id: 'bimi.multiple-records',
      severity: 'fail',
      message: `${name} has ${records.length} BIMI records; receivers show no logo.`,
      evidence: { records },
    });
    return { findings, data };
  }
  const record = records[0]!;
  data.record = record;
  const parsed = parseBimiRecord(record);
  if (!parsed.ok) {
    findings.push({
      id: 'bimi.syntax-error',
      severity: 'fail',
      message: `The BIMI record at ${name} is malformed: ${parsed.error}.`,
      evidence: { record },
    });
    return { findings, data };
  }
  const { location, authority, avatarPreference } = parsed.record;
  data.location = location || null;
  data.authority = authority || null;
  data.avatarPreference = avatarPreference;
  if (!location && !authority) {
    data.declined = true;
    findings.push({
      id: 'bimi.declined',
      severity: 'info',
      message: `${name} declines BIMI: no logo is to be shown for this domain’s mail.`,
      evidence: { record },
    });
    return { findings, data };
  }
  const problems: Finding[] = [];
  if (location) {
    if (location.includes(',')) {
      problems.push({
        id: 'bimi.location-invalid',
        severity: 'fail',
        message: `BIMI l= at ${name} lists several URLs; it must be one https SVG URL.`,
        evidence: { record, location },
      });
    } else {
      const problem = httpsUrlProblem(location, '.svg');
      if (problem !== null) {
        problems.push({
          id: 'bimi.location-invalid',
          severity: 'fail',
          message: `BIMI logo location '${location}' ${problem}.`,
          evidence: { record, location },
        });
      }
    }
  }
  if (!authority) {
    problems.push({
      id: 'bimi.authority-missing',
      severity: 'warning',
      message: `The BIMI record at ${name} names no mark certificate (a=): major mailbox providers will not show the logo.`,
      evidence: { record },
    });
  } else {
    const problem = httpsUrlProblem(authority);
    if (problem !== null) {
      problems.push({
        id: 'bimi.authority-invalid',
        severity: 'fail',
        message: `BIMI mark certificate location '${authority}' ${problem}.`,
        evidence: { record, authority },
      });
    }
  }
  findings.push(...problems);
  if (problems.length === 0) {
    findings.push({
      id: 'bimi.valid',
      severity: 'pass',
      message: `${name} publishes a BIMI record (${location ? `logo ${location}` : 'logo in the certificate'}, certificate ${authority}); the files themselves were not downloaded.`,
      evidence: { record },
    });
  }
  return { findings, data };
}

/**
 * The domain's BIMI record at `default._bimi.<domain>`, or, as receivers do, at its
 * organisational domain when the domain has none. DMARC enforcement, which BIMI needs, is the
 * DMARC check's business; fetching the SVG and certificate is not done here (see `svgFetched`).
 */
export async function scanBimi(domain: string, ctx: CheckContext): Promise<CheckReport<BimiData>> {
  const base = domain.toLowerCase().replace(/\.$/, '');
  const ancestry = namesUpToRegistrable(base, ctx.extraPublicSuffixes);
  const organisational = ancestry[ancestry.length - 1] ?? base;
  const owners = organisational === base ? [base] : [base, organisational];
  const checkedNames: string[] = [];
  const undetermined: CheckReport['undetermined'] = [];
  let found: { name: string; values: string[] } | undefined;
  for (const owner of owners) {
    const name = `default._bimi.${owner}`;
    checkedNames.push(name);
    const txt = await lookupTxt(ctx.resolver, name);
    if (txt.status === 'unknown') {
      undetermined.push({ name, type: 'TXT', code: txt.error?.code ?? 'EUNKNOWN' });
      break;
    }
    const values = txt.records.map((r) => r.value);
    if (values.some(isBimiRecord)) {
      found = { name, values };
      break;
    }
  }
  const empty: BimiData = {
    checkedNames,
    effectiveFrom: null,
    records: [],
    record: null,
    location: null,
    authority: null,
    avatarPreference: null,
    declined: false,
    svgFetched: false,
    certificateFetched: false,
  };
  if (undetermined.length > 0) {
    return {
      check: 'bimi',
      domain: base,
      status: 'unknown',
      findings: [],
      data: empty,
      undetermined,
    };
  }
  const judged = judgeBimi(found?.name ?? checkedNames[0]!, found?.values ?? []);
  return {
    check: 'bimi',
    domain: base,
    status: 'completed',
    findings: judged.findings,
    data: { ...judged.data, checkedNames, effectiveFrom: found?.name ?? null },
    undetermined: [],
  };
}
