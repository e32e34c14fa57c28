import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import { lookupTxt, type CheckContext } from '../common/dns-lookup';
import { analyzeDkimKey, looksLikeDkim, parseDkimRecord, type DkimKeyRecord } from './dkim-record';
import { KNOWN_DKIM_SELECTORS } from './dkim-selectors';

export interface DkimSelectorResult {
  selector: string;
  /** `<selector>._domainkey.<domain>` */
  name: string;
  /** Who uses this selector by default, when it comes from the catalogue. */
  provider: string | null;
  source: 'catalogue' | 'given';
  /** The (first) key record, its strings joined. */
  record: string;
  /** How many DKIM key records the selector has (more than one is a finding). */
  recordCount: number;
  /** The record parses as a DKIM key record. */
  valid: boolean;
  /** Why it does not parse, or why its key cannot be decoded. */
  error: string | null;
  revoked: boolean;
  /** t=y */
  testing: boolean;
  /** t=s: i= must not be a subdomain of d=. */
  strictSubdomains: boolean;
  keyType: 'rsa' | 'ed25519' | null;
  /** RSA modulus size; null for Ed25519 or when undecodable. */
  keyBits: number | null;
  hashAlgorithms: string[] | null;
  serviceTypes: string[] | null;
  notes: string | null;
  /** A verifier could verify mail signed with this key. */
  usable: boolean;
}

export interface DkimData {
  /** Selectors with a DKIM key record, in the order asked. */
  selectors: DkimSelectorResult[];
  /** Every selector asked. */
  checkedSelectors: string[];
}

export interface DkimScanOptions {
  /** Selectors to ask besides the catalogue (e.g. the ones the domain is known to use). */
  selectors?: string[];
  /** Ask only `selectors`, not the catalogue. Default false. */
  skipCatalogue?: boolean;
  /** Parallel DNS questions; default 10. */
  concurrency?: number;
}

export class InvalidDkimSelector extends Error {
  override readonly name = 'InvalidDkimSelector';
  constructor(readonly selector: string) {
    super(`'${selector}' is not a valid DKIM selector (dot-separated DNS labels)`);
  }
}

// RFC 6376 §3.1: selector = sub-domain *( "." sub-domain ); underscores are common in practice.
const SELECTOR =
  /^(?=.{1,200}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of results. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface DkimCandidate {
  selector: string;
  provider: string | null;
  source: 'catalogue' | 'given';
}

function candidates(opts: DkimScanOptions): DkimCandidate[] {
  const given = (opts.selectors ?? []).map((s) => s.trim().toLowerCase().replace(/\.$/, ''));
  for (const s of given) if (!SELECTOR.test(s)) throw new InvalidDkimSelector(s);
  const list: DkimCandidate[] = [];
  const seen = new Set<string>();
  for (const s of given) {
    if (seen.has(s)) continue;
    seen.add(s);
    const known = KNOWN_DKIM_SELECTORS.find((k) => k.selector === s);
    list.push({ selector: s, provider: known?.provider ?? null, source: 'given' });
  }
  if (!opts.skipCatalogue) {
    for (const k of KNOWN_DKIM_SELECTORS) {
      if (seen.has(k.selector)) continue;
      seen.add(k.selector);
      list.push({ selector: k.selector, provider: k.provider, source: 'catalogue' });
    }
  }
  return list;
}

/** Reads one selector's key records into a result. */
export async function examineSelector(
  candidate: DkimCandidate,
  name: string,
  records: string[],
): Promise<DkimSelectorResult> {
  const base: DkimSelectorResult = {
    selector: candidate.selector,
    name,
    provider: candidate.provider,
    source: candidate.source,
    record: records[0]!,
    recordCount: records.length,
    valid: false,
    error: null,
    revoked: false,
    testing: false,
    strictSubdomains: false,
    keyType: null,
    keyBits: null,
    hashAlgorithms: null,
    serviceTypes: null,
    notes: null,
    usable: false,
  };
  const parsed = parseDkimRecord(records[0]!);
  if (!parsed.ok) return { ...base, error: parsed.error };
  const r: DkimKeyRecord = parsed.record;
  const result: DkimSelectorResult = {
    ...base,
    valid: true,
    revoked: r.publicKey === '',
    testing: r.flags.includes('y'),
    strictSubdomains: r.flags.includes('s'),
    hashAlgorithms: r.hashAlgorithms,
    serviceTypes: r.serviceTypes,
    notes: r.notes,
  };
  if (result.revoked) return result;
  const key = await analyzeDkimKey(r);
  if (!key.ok) return { ...result, error: key.error };
  const sha256 = r.hashAlgorithms === null || r.hashAlgorithms.includes('sha256');
  const email = r.serviceTypes === null || r.serviceTypes.includes('email');
  const strongEnough = key.keyType !== 'rsa' || (key.bits ?? 0) >= 1024;
  return {
    ...result,
    keyType: key.keyType,
    keyBits: key.bits,
    usable: sha256 && email && strongEnough,
  };
}

/** The findings about one selector's key record. */
export function selectorFindings(s: DkimSelectorResult): Finding[] {
  const evidence = { selector: s.selector, name: s.name, record: s.record };
  const findings: Finding[] = [];
  const at = `Selector '${s.selector}' (${s.name})`;
  if (s.recordCount > 1) {
    findings.push({
      id: 'dkim.multiple-records',
      severity: 'warning',
      message: `${at} has ${s.recordCount} DKIM key records; verifiers may pick any of them. The first is judged here.`,
      evidence: { ...evidence, recordCount: s.recordCount },
    });
  }
  if (!s.valid) {
    findings.push({
      id: 'dkim.invalid-record',
      severity: 'fail',
      message: `${at} has an invalid key record: ${s.error}.`,
      evidence,
    });
    return findings;
  }
  if (s.revoked) {
    findings.push({
      id: 'dkim.key-revoked',
      severity: 'info',
      message: `${at} publishes a revoked key (empty p=).`,
      evidence,
    });
    return findings;
  }
  if (s.error !== null) {
    findings.push({
      id: 'dkim.invalid-key',
      severity: 'fail',
      message: `${at}: ${s.error}.`,
      evidence,
    });
    return findings;
  }
  if (s.keyType === 'ed25519') {
    findings.push({
      id: 'dkim.ed25519-key',
      severity: 'pass',
      message: `${at} publishes an Ed25519 key; not every verifier supports Ed25519, so also sign with RSA.`,
      evidence: { ...evidence, keyType: 'ed25519' },
    });
  } else {
    const bits = s.keyBits ?? 0;
    const [id, severity] =
      bits >= 4096
        ? (['dkim.rsa-key-4096', 'pass'] as const)
        : bits >= 2048
          ? (['dkim.rsa-key-2048', 'pass'] as const)
          : bits >= 1024
            ? (['dkim.rsa-key-1024', 'warning'] as const)
            : (['dkim.rsa-key-too-short', 'fail'] as const);
    findings.push({
      id,
      severity,
      message: `${at} publishes a ${bits}-bit RSA key.`,
      evidence: { ...evidence, keyType: 'rsa', keyBits: bits },
    });
  }
  if (s.testing) {
    findings.push({
      id: 'dkim.testing-mode',
      severity: 'warning',
      message: `${at} is in testing mode (t=y): verifiers treat its signatures as absent.`,
      evidence,
    });
  }
  if (s.hashAlgorithms !== null && !s.hashAlgorithms.includes('sha256')) {
    findings.push({
      id: 'dkim.sha1-only',
      severity: 'fail',
      message: `${at} allows only h=${s.hashAlgorithms.join(':')}: no rsa-sha256 signature can use it.`,
      evidence,
    });
  }
  if (s.serviceTypes !== null && !s.serviceTypes.includes('email')) {
    findings.push({
      id: 'dkim.not-for-email',
      severity: 'fail',
      message: `${at} is restricted to s=${s.serviceTypes.join(':')}, not email.`,
      evidence,
    });
  }
  return findings;
}

/**
 * Looks for DKIM keys at the catalogue's selectors and the given ones, and judges each key found.
 * DNS cannot list selectors: "none found" is a statement about the selectors asked, no more.
 */
export async function scanDkim(
  domain: string,
  ctx: CheckContext,
  opts: DkimScanOptions = {},
): Promise<CheckReport<DkimData>> {
  const base = domain.toLowerCase().replace(/\.$/, '');
  const list = candidates(opts);
  const answers = await mapBounded(list, Math.max(1, opts.concurrency ?? 10), async (c) => {
    const name = `${c.selector}._domainkey.${base}`;
    return { candidate: c, name, answer: await lookupTxt(ctx.resolver, name) };
  });

  const undetermined: CheckReport['undetermined'] = [];
  const found: Array<{ candidate: DkimCandidate; name: string; records: string[] }> = [];
  for (const { candidate, name, answer } of answers) {
    if (answer.status === 'unknown') {
      undetermined.push({ name, type: 'TXT', code: answer.error?.code ?? 'EUNKNOWN' });
      continue;
    }
    const values = answer.records.map((r) => r.value);
    // A wildcard TXT answers at every catalogue selector: only DKIM-looking text counts there.
    const dkim = values.filter(looksLikeDkim);
    const records = candidate.source === 'given' ? (dkim.length > 0 ? dkim : values) : dkim;
    if (records.length > 0) found.push({ candidate, name, records });
  }

  const selectors = await Promise.all(
    found.map((f) => examineSelector(f.candidate, f.name, f.records)),
  );
  const findings: Finding[] = selectors.flatMap(selectorFindings);

  const byKey = new Map<string, string[]>();
  for (const s of selectors) {
    if (!s.valid || s.revoked || s.error !== null) continue;
    const key = parseDkimRecord(s.record);
    if (!key.ok) continue;
    byKey.set(key.record.publicKey, [...(byKey.get(key.record.publicKey) ?? []), s.selector]);
  }
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    findings.push({
      id: 'dkim.duplicate-key',
      severity: 'info',
      message: `Selectors ${group.map((g) => `'${g}'`).join(', ')} publish the same public key.`,
      evidence: { selectors: group },
    });
  }

  if (selectors.length > 0 && undetermined.length === 0 && selectors.every((s) => !s.usable)) {
    findings.push({
      id: 'dkim.no-usable-key',
      severity: 'warning',
      message: `${selectors.length} DKIM key record(s) found, but none can verify mail (revoked, invalid or restricted).`,
      evidence: { selectors: selectors.map((s) => s.selector) },
    });
  }
  // With some answers missing, "none found" would depend on them: say nothing then.
  if (selectors.length === 0 && undetermined.length === 0) {
    findings.push({
      id: 'dkim.no-selector-found',
      severity: 'warning',
      message: `No DKIM key found among ${list.length} known selectors; the domain may still use a selector not in the list.`,
      evidence: { checked: list.length },
    });
  }

  return checkReport({
    check: 'dkim',
    domain: base,
    findings,
    data: { selectors, checkedSelectors: list.map((c) => c.selector) },
    undetermined,
  });
}
