import type { CheckReport, Finding } from '../common/check-report';
import { lookup, lookupTxt, type CheckContext } from '../common/dns-lookup';
import { HttpsFetchFailed, httpsGet } from '../common/https-fetch';

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  version: string;
  mode: MtaStsMode;
  maxAge: number;
  mx: string[];
}

export interface MtaStsData {
  /** The TXT values at `_mta-sts.<domain>` starting with v=STSv1. */
  records: string[];
  record: string | null;
  id: string | null;
  policyUrl: string;
  /** True when the policy file was retrieved (200, whatever its content). */
  policyFetched: boolean;
  /** The parsed policy, when valid. */
  policy: MtaStsPolicy | null;
  /** Why the policy could not be used, when it could not. */
  policyError: string | null;
  /** The domain's MX hosts, each with the policy pattern that covers it (null: none). */
  mx: Array<{ exchange: string; preference: number; matchedPattern: string | null }>;
}

const MAX_POLICY_BYTES = 64 * 1024;
const MAX_MAX_AGE = 31_557_600;
const ONE_DAY = 86_400;

/** RFC 8461 §3.1: `v=STSv1; id=<1-32 alnum>;` (extensions allowed). */
export function parseMtaStsRecord(
  record: string,
): { ok: true; id: string } | { ok: false; error: string } {
  const fields = record
    .split(';')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields[0] !== 'v=STSv1') return { ok: false, error: 'it must start with v=STSv1' };
  const tags = new Map<string, string>();
  for (const field of fields.slice(1)) {
    const eq = field.indexOf('=');
    if (eq <= 0) return { ok: false, error: `'${field}' is not name=value` };
    const name = field.slice(0, eq).trim();
    if (tags.has(name)) return { ok: false, error: `tag ${name} appears twice` };
    tags.set(name, field.slice(eq + 1).trim());
  }
  const id = tags.get('id');
  if (id === undefined) return { ok: false, error: 'it has no id' };
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) {
    return { ok: false, error: `id '${id}' is not 1 to 32 letters and digits` };
  }
  return { ok: true, id };
}

/** RFC 8461 §3.2: `key: value` lines; unknown keys ignored. */
export function parseMtaStsPolicy(
  text: string,
): { ok: true; policy: MtaStsPolicy } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const mx: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      errors.push(`line '${line}' is not 'key: value'`);
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'mx') {
      // A wildcard only as the whole leftmost label (RFC 8461 §3.2, §4.1).
      const rest = value.startsWith('*.') ? value.slice(2) : value;
      if (
        !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+\.?$/.test(
          rest,
        )
      ) {
        errors.push(`mx pattern '${value}' is not a host name or *.domain`);
      } else mx.push(value.toLowerCase().replace(/\.$/, ''));
      continue;
    }
    if (seen.has(key)) errors.push(`${key} appears twice`);
    seen.set(key, value);
  }
  const version = seen.get('version');
  if (version !== 'STSv1')
    errors.push(version === undefined ? 'no version' : `version '${version}' is not STSv1`);
  const mode = seen.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') {
    errors.push(mode === undefined ? 'no mode' : `mode '${mode}' is not enforce, testing or none`);
  }
  const maxAgeText = seen.get('max_age');
  const maxAge =
    maxAgeText !== undefined && /^\d{1,10}$/.test(maxAgeText) ? Number(maxAgeText) : NaN;
  if (!(maxAge >= 0 && maxAge <= MAX_MAX_AGE)) {
    errors.push(
      maxAgeText === undefined
        ? 'no max_age'
        : `max_age '${maxAgeText}' is not 0 to ${MAX_MAX_AGE}`,
    );
  }
  if (mode !== 'none' && mx.length === 0 && !errors.some((e) => e.startsWith('mx'))) {
    errors.push('no mx pattern');
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: { version: 'STSv1', mode: mode as MtaStsMode, maxAge, mx } };
}

/** RFC 8461 §4.1: exact match, or `*.` standing for exactly one leftmost label. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** What the fetch produced, for `judgeMtaSts`. */
export type PolicyFetch =
  | { kind: 'ok'; status: number; contentType: string; body: string }
  | { kind: 'failed'; reason: string; message: string };

/**
 * Findings from what was gathered: the TXT values (definite), the policy fetch and the MX hosts.
 * Pure, so every combination can be tested without the lab.
 */
export function judgeMtaSts(input: {
  domain: string;
  txt: string[];
  fetch: PolicyFetch;
  mx: Array<{ exchange: string; preference: number }>;
}): { findings: Finding[]; data: Omit<MtaStsData, 'policyUrl'> } {
  const { domain } = input;
  const name = `_mta-sts.${domain}`;
  const records = input.txt.filter((v) => /^v=STSv1(;|\s|$)/.test(v.trim()));
  const data: Omit<MtaStsData, 'policyUrl'> = {
    records,
    record: records.length === 1 ? records[0]! : null,
    id: null,
    policyFetched: input.fetch.kind === 'ok',
    policy: null,
    policyError: null,
    mx: input.mx.map((m) => ({ ...m, matchedPattern: null })),
  };
  const findings: Finding[] = [];

  // The fetch, judged as a sender would (RFC 8461 §3.3).
  let policyText: string | null = null;
  const f = input.fetch;
  if (f.kind === 'failed') data.policyError = `${f.reason}: ${f.message}`;
  else if (f.status !== 200)
    data.policyError = `HTTP status ${f.status}${f.status >= 300 && f.status < 400 ? ' (redirects are not followed)' : ''}`;
  else if (f.contentType.split(';')[0]!.trim().toLowerCase() !== 'text/plain') {
    data.policyError = `Content-Type '${f.contentType}' is not text/plain`;
  } else policyText = f.body;

  if (records.length === 0) {
    if (policyText !== null) {
      findings.push({
        id: 'mta-sts.policy-without-record',
        severity: 'warning',
        message: `A policy is served at mta-sts.${domain}, but ${name} has no v=STSv1 record, so senders never fetch it.`,
        evidence: { name },
      });
    } else {
      findings.push({
        id: 'mta-sts.missing',
        severity: 'info',
        message: `${domain} does not use MTA-STS (no record at ${name}).`,
        evidence: { name },
      });
    }
    return { findings, data };
  }
  if (records.length > 1) {
    findings.push({
      id: 'mta-sts.multiple-records',
      severity: 'fail',
      message: `${name} has ${records.length} v=STSv1 records; senders then apply no policy.`,
      evidence: { records },
    });
    return { findings, data };
  }
  const parsedRecord = parseMtaStsRecord(records[0]!);
  if (!parsedRecord.ok) {
    findings.push({
      id: 'mta-sts.record-invalid',
      severity: 'fail',
      message: `The MTA-STS record at ${name} is malformed: ${parsedRecord.error}.`,
      evidence: { record: records[0] },
    });
    return { findings, data };
  }
  data.id = parsedRecord.id;
  if (policyText === null) {
    findings.push({
      id: 'mta-sts.policy-unreachable',
      severity: 'fail',
      message: `${name} announces MTA-STS, but the policy is unusable — policy unreachable: ${data.policyError}.`,
      evidence: {
        url: `https://mta-sts.${domain}/.well-known/mta-sts.txt`,
        error: data.policyError,
      },
    });
    return { findings, data };
  }
  const parsed = parseMtaStsPolicy(policyText);
  if (!parsed.ok) {
    data.policyError = parsed.errors.join('; ');
    findings.push({
      id: 'mta-sts.policy-invalid',
      severity: 'fail',
      message: `The MTA-STS policy of ${domain} is malformed: ${data.policyError}.`,
      evidence: { errors: parsed.errors, policy: policyText.slice(0, 2000) },
    });
    return { findings, data };
  }
  const policy = parsed.policy;
  data.policy = policy;
  for (const m of data.mx) {
    m.matchedPattern = policy.mx.find((p) => mxPatternMatches(p, m.exchange)) ?? null;
  }
  const problems: Finding[] = [];
  if (policy.mode === 'none') {
    findings.push({
      id: 'mta-sts.mode-none',
      severity: 'info',
      message: `The MTA-STS policy of ${domain} is in mode none: no policy is applied.`,
      evidence: { mode: policy.mode },
    });
    return { findings, data };
  }
  if (policy.mode === 'testing') {
    problems.push({
      id: 'mta-sts.mode-testing',
      severity: 'warning',
      message: `The MTA-STS policy of ${domain} is in testing mode: failures are reported but mail is still delivered without authenticated TLS.`,
      evidence: { mode: policy.mode },
    });
  }
  const uncovered = data.mx.filter((m) => m.matchedPattern === null && m.exchange !== '');
  if (uncovered.length > 0) {
    const enforce = policy.mode === 'enforce';
    problems.push({
      id: enforce ? 'mta-sts.mx-not-covered' : 'mta-sts.mx-not-covered-testing',
      severity: enforce ? 'fail' : 'warning',
      message: `MX ${uncovered.map((m) => m.exchange).join(', ')} ${uncovered.length === 1 ? 'matches' : 'match'} no mx pattern of the MTA-STS policy (${policy.mx.join(', ')})${enforce ? ': compliant senders will not deliver there' : ''}.`,
      evidence: { uncovered: uncovered.map((m) => m.exchange), patterns: policy.mx },
    });
  }
  if (policy.maxAge < ONE_DAY) {
    problems.push({
      id: 'mta-sts.max-age-short',
      severity: 'warning',
      message: `The MTA-STS policy max_age is ${policy.maxAge} seconds, under a day; weeks (e.g. 1209600) are recommended.`,
      evidence: { maxAge: policy.maxAge },
    });
  }
  findings.push(...problems);
  if (problems.length === 0) {
    findings.push({
      id: 'mta-sts.valid',
      severity: 'pass',
      message: `${domain} enforces MTA-STS (policy id ${data.id}, max_age ${policy.maxAge}); every MX is covered.`,
      evidence: { record: data.record, policy },
    });
  }
  return { findings, data };
}

/**
 * The domain's MTA-STS posture (RFC 8461): the `_mta-sts` record, the policy at
 * `https://mta-sts.<domain>/.well-known/mta-sts.txt` (fetched through the target guard, never
 * following redirects) and the MX hosts matched against it. DNS that cannot be determined, and a
 * policy fetch that times out, make the status `unknown` rather than a finding.
 */
export async function scanMtaSts(
  domain: string,
  ctx: CheckContext,
): Promise<CheckReport<MtaStsData>> {
  const base = domain.toLowerCase().replace(/\.$/, '');
  const name = `_mta-sts.${base}`;
  const policyHost = `mta-sts.${base}`;
  const policyUrl = `https://${policyHost}/.well-known/mta-sts.txt`;
  const undetermined: CheckReport['undetermined'] = [];

  const [txt, mx, fetched] = await Promise.all([
    lookupTxt(ctx.resolver, name),
    lookup(() => ctx.resolver.resolveMx(base)),
    fetchPolicy(policyUrl, ctx),
  ]);
  if (txt.status === 'unknown') {
    undetermined.push({ name, type: 'TXT', code: txt.error?.code ?? 'EUNKNOWN' });
  }
  if (mx.status === 'unknown') {
    undetermined.push({ name: base, type: 'MX', code: mx.error?.code ?? 'EUNKNOWN' });
  }
  const hasRecord = txt.records.some((r) => /^v=STSv1(;|\s|$)/.test(r.value.trim()));
  if (fetched.kind === 'failed' && hasRecord) {
    if (fetched.reason === 'timeout') {
      undetermined.push({ name: policyUrl, type: 'HTTPS', code: 'ETIMEDOUT' });
    } else if (fetched.reason === 'dns' && fetched.code !== 'ENOTFOUND') {
      undetermined.push({ name: policyHost, type: 'A', code: fetched.code ?? 'EUNKNOWN' });
    }
  }
  const mxHosts = [...mx.records]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => ({
      exchange: r.exchange.toLowerCase().replace(/\.$/, ''),
      preference: r.priority,
    }));
  const judged = judgeMtaSts({
    domain: base,
    txt: txt.records.map((r) => r.value),
    fetch: fetched,
    mx: mxHosts,
  });
  const data: MtaStsData = { ...judged.data, policyUrl };
  if (undetermined.length > 0) {
    return { check: 'mta-sts', domain: base, status: 'unknown', findings: [], data, undetermined };
  }
  return {
    check: 'mta-sts',
    domain: base,
    status: 'completed',
    findings: judged.findings,
    data,
    undetermined: [],
  };
}

async function fetchPolicy(
  url: string,
  ctx: CheckContext,
): Promise<PolicyFetch & { code?: string }> {
  try {
    const r = await httpsGet(url, ctx, { maxBytes: MAX_POLICY_BYTES, accept: 'text/plain' });
    return {
      kind: 'ok',
      status: r.status,
      contentType: r.headers['content-type'] ?? '',
      body: r.body.toString('utf8'),
    };
  } catch (err) {
    if (err instanceof HttpsFetchFailed) {
      return { kind: 'failed', reason: err.reason, message: err.message, code: err.code };
    }
    throw err;
  }
}
