import { namesUpToRegistrable } from '../caa/public-suffix';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import { lookupTxt, type CheckContext } from '../common/dns-lookup';
import { HttpsFetchFailed, httpsGet } from '../common/https-fetch';
import { MAX_SVG_BYTES, checkBimiCertificate, checkBimiSvg } from './bimi-files';
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
  /** The logo at l= was downloaded (and judged: the `bimi.svg-*` findings). */
  svgFetched: boolean;
  /** The mark certificate at a= was downloaded (and judged: the `bimi.certificate-*` findings). */
  certificateFetched: boolean;
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
    svgFetched: false,
    certificateFetched: false,
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
      message: `${name} publishes a BIMI record (${location ? `logo ${location}` : 'logo in the certificate'}, certificate ${authority}).`,
      evidence: { record },
    });
  }
  return { findings, data };
}

/**
 * The domain's BIMI record at `default._bimi.<domain>`, or, as receivers do, at its
 * organisational domain when the domain has none. DMARC enforcement, which BIMI needs, is the
 * DMARC check's business. A valid https l= logo and a= certificate are downloaded (through the
 * target guard) and judged; a download that times out makes the status `unknown`.
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
  const findings = [...judged.findings];
  const data: BimiData = { ...judged.data, checkedNames, effectiveFrom: found?.name ?? null };
  const usable = (url: string | null, ids: string[]): url is string =>
    url !== null && !findings.some((f) => ids.includes(f.id)) && url.startsWith('https://');
  const fetches: Array<Promise<void>> = [];
  if (usable(data.location, ['bimi.location-invalid'])) {
    const url = data.location;
    fetches.push(
      fetchFile(url, ctx, MAX_SVG_BYTES, 'image/svg+xml', 'bimi.svg-fetch-failed', 'logo').then(
        (r) => {
          if ('finding' in r) findings.push(r.finding);
          else if ('undetermined' in r) undetermined.push(r.undetermined);
          else {
            data.svgFetched = true;
            findings.push(...checkBimiSvg(url, r.contentType, r.body));
          }
        },
      ),
    );
  }
  if (usable(data.authority, ['bimi.authority-invalid'])) {
    const url = data.authority;
    const owner = (found?.name ?? '').replace(/^default\._bimi\./, '') || base;
    fetches.push(
      fetchFile(
        url,
        ctx,
        64 * 1024,
        'application/pem-certificate-chain, */*',
        'bimi.certificate-fetch-failed',
        'mark certificate',
      ).then((r) => {
        if ('finding' in r) findings.push(r.finding);
        else if ('undetermined' in r) undetermined.push(r.undetermined);
        else {
          data.certificateFetched = true;
          findings.push(...checkBimiCertificate(url, r.body, owner));
        }
      }),
    );
  }
  await Promise.all(fetches);
  return checkReport({
    check: 'bimi',
    domain: base,
    findings,
    data,
    undetermined,
  });
}

/** Downloads one BIMI file; a failure is a warning finding, a timeout is undetermined. */
async function fetchFile(
  url: string,
  ctx: CheckContext,
  maxBytes: number,
  accept: string,
  failureId: string,
  what: string,
): Promise<
  | { contentType: string; body: string }
  | { finding: Finding }
  | { undetermined: CheckReport['undetermined'][number] }
> {
  try {
    const r = await httpsGet(url, ctx, { maxBytes, accept });
    if (r.status !== 200) {
      return {
        finding: {
          id: failureId,
          severity: 'warning',
          message: `The BIMI ${what} at ${url} could not be downloaded: HTTP status ${r.status}.`,
          evidence: { url, status: r.status },
        },
      };
    }
    return { contentType: r.headers['content-type'] ?? '', body: r.body.toString('utf8') };
  } catch (err) {
    if (!(err instanceof HttpsFetchFailed)) throw err;
    if (err.reason === 'timeout') {
      return { undetermined: { name: url, type: 'HTTPS', code: err.code ?? 'ETIMEDOUT' } };
    }
    return {
      finding: {
        id: failureId,
        severity: 'warning',
        message: `The BIMI ${what} at ${url} could not be downloaded (${err.reason}): ${err.message}.`,
        evidence: { url, reason: err.reason },
      },
    };
  }
}
