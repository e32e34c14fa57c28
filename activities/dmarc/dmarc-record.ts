// Hand-written parser: mailauth's DMARC reader keeps the last duplicate, lowercases values and
// reports no problems, and a posture scanner must say exactly what is wrong with a record.
import { InvalidDomainName, validateDomainName } from '../../libs/domain-name';

export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];

/** Every tag RFC 7489 or RFC 9989 defines (IANA "DMARC Tag Registry"). */
export const DMARC_TAGS = [
  'v',
  'p',
  'sp',
  'np',
  'psd',
  't',
  'adkim',
  'aspf',
  'rua',
  'ruf',
  'fo',
  'pct',
  'rf',
  'ri',
] as const;
export type DmarcTagName = (typeof DMARC_TAGS)[number];

/** Defined by RFC 7489, removed by RFC 9989: RFC 7489 receivers still act on them. */
export const REMOVED_DMARC_TAGS: readonly DmarcTagName[] = ['pct', 'rf', 'ri'];

/**
 * What can be wrong with a record. Each code is also the suffix of the finding id the scanner
 * reports (`dmarc.<code>`).
 */
export type DmarcProblemCode =
  | 'invalid-version'
  | 'version-not-first'
  | 'version-case'
  | 'syntax-error'
  | 'syntax-lenient'
  | 'duplicate-tag'
  | 'unknown-tag'
  | 'invalid-value'
  | 'invalid-policy-value'
  | 'p-missing'
  | 'removed-tag'
  | 'invalid-uri'
  | 'non-mailto-uri'
  | 'uri-size-limit'
  | 'too-many-destinations';

export interface DmarcRecordProblem {
  code: DmarcProblemCode;
  /** One sentence naming the tag and value at fault. */
  message: string;
  tag?: string;
  value?: string;
}

/** One entry of an `rua` or `ruf` list. */
export interface DmarcUri {
  /** As written, size limit included. */
  raw: string;
  /** The URI without its size limit. */
  uri: string;
  /** Lowercase scheme, when there is one. */
  scheme?: string;
  /** `mailto:` only: the address, percent-decoded. */
  address?: string;
  /** `mailto:` only: the address's domain, lowercase A-labels. */
  domain?: string;
  /** RFC 7489 size limit (`!10m`): the text after `!` and its value in bytes. */
  maxSize?: { raw: string; bytes: number };
  /** A syntactically valid URI (any scheme). */
  valid: boolean;
  /** A valid `mailto:` URI: the only scheme receivers are required to support. */
  usable: boolean;
}

/** Tag values with the defaults applied (RFC 9989 §4.7, RFC 7489 §6.3 for removed tags). */
export interface DmarcEffectiveTags {
  /** Undefined when the record applies no policy (see `policyState`). */
  p?: DmarcPolicy;
  /** Defaults to p. */
  sp?: DmarcPolicy;
  /** Defaults to sp. */
  np?: DmarcPolicy;
  psd: 'y' | 'n' | 'u';
  t: 'y' | 'n';
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  fo: string[];
  /** Removed by RFC 9989. */
  rf: string[];
  /** Removed by RFC 9989. */
  ri: number;
  /** Removed by RFC 9989. */
  pct: number;
  rua: DmarcUri[];
  ruf: DmarcUri[];
}

export interface ParsedDmarcRecord {
  record: string;
  /** The record starts with a `v=DMARC1` tag (value case aside): receivers treat it as DMARC. */
  isDmarc: boolean;
  /** Tags as written, in order, duplicates included; names lowercased. */
  tags: Array<{ name: string; value: string }>;
  /** First value written for each tag. */
  values: Partial<Record<string, string>>;
  /** Known tags written with a valid value (rua/ruf count even if some of their URIs do not). */
  validTags: DmarcTagName[];
  effective: DmarcEffectiveTags;
  /**
   * `valid`: p (and sp, np when present) are valid. Otherwise RFC 9989 §4.10.1: a record with a
   * syntactically valid rua URI is `treated-as-none`; without one it is `ignored`.
   */
  policyState: 'valid' | 'treated-as-none' | 'ignored';
  problems: DmarcRecordProblem[];
}

const DEFAULTS = {
  psd: 'u',
  t: 'n',
  adkim: 'r',
  aspf: 'r',
  fo: ['0'],
  rf: ['afrf'],
  ri: 86400,
  pct: 100,
} as const;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};
const MAX_URIS_PER_TAG = 2;
const MAX_RI = 2 ** 32 - 1;

// Loose on purpose: a record written `v=dmarc1` or `v = DMARC1` is still a (faulty) DMARC record.
const DMARC_START = /^\s*v\s*=\s*dmarc1(?![0-9a-z])/i;
const DMARC_TAG_ANYWHERE = /(?:^|;)\s*v\s*=\s*dmarc1\s*(?:;|$)/i;

/** A TXT value receivers would take for a DMARC record (it starts with the version tag). */
export function looksLikeDmarcRecord(txt: string): boolean {
  return DMARC_START.test(txt);
}

/** A TXT value that has a `v=DMARC1` tag, but not first: receivers ignore it. */
export function hasMisplacedVersion(txt: string): boolean {
  return !looksLikeDmarcRecord(txt) && DMARC_TAG_ANYWHERE.test(txt);
}

/** An SPF record (RFC 7208 §4.5), as sometimes published at `_dmarc` by mistake. */
export function isSpfRecord(txt: string): boolean {
  return /^\s*v=spf1(?:\s|$)/i.test(txt);
}

export const POLICY_STRENGTH: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };

/** Parses and validates one DMARC record (the TXT strings already joined). Never throws. */
export function parseDmarcRecord(record: string): ParsedDmarcRecord {
  const problems: DmarcRecordProblem[] = [];
  const tags: Array<{ name: string; value: string }> = [];
  const values: Partial<Record<string, string>> = {};

  if (/^\s/.test(record)) {
    problems.push({
      code: 'syntax-lenient',
      message: 'The record starts with whitespace; it should start with "v=DMARC1".',
    });
  }

  const segments = record.split(';');
  segments.forEach((segment, index) => {
    const text = segment.trim();
    if (text === '') {
      // A trailing ';' (and whitespace after it) is allowed by the grammar; ';;' is not.
      if (index > 0 && index < segments.length - 1) {
        problems.push({
          code: 'syntax-lenient',
          message: 'The record has an empty tag (";;"); most receivers skip it.',
        });
      }
      return;
    }
    const equals = text.indexOf('=');
    if (equals < 0) {
      problems.push({
        code: 'syntax-error',
        message: `"${text}" is not a tag=value pair.`,
        value: text,
      });
      return;
    }
    const rawName = text.slice(0, equals).trim();
    const value = text.slice(equals + 1).trim();
    if (!/^[A-Za-z]+$/.test(rawName)) {
      problems.push({
        code: 'syntax-error',
        message:
          rawName === ''
            ? `"${text}" has no tag name before "=".`
            : `"${rawName}" is not a valid tag name (letters only).`,
        tag: rawName,
        value,
      });
      return;
    }
    const name = rawName.toLowerCase();
    if (name !== rawName && (DMARC_TAGS as readonly string[]).includes(name)) {
      problems.push({
        code: 'syntax-lenient',
        message: `Tag "${rawName}" is written in capitals; tag names are lowercase ("${name}").`,
        tag: name,
      });
    }
    if (Object.hasOwn(values, name)) {
      problems.push({
        code: 'duplicate-tag',
        message: `Tag "${name}" appears more than once ("${values[name]}" and "${value}"): the record is invalid, and receivers that accept it may use either value (this report uses the first).`,
        tag: name,
        value,
      });
    } else {
      values[name] = value;
    }
    tags.push({ name, value });
  });

  const isDmarc = checkVersion(tags, problems);

  for (const { name } of uniqueTags(tags)) {
    if (!(DMARC_TAGS as readonly string[]).includes(name)) {
      const near = nearestTag(name);
      problems.push({
        code: 'unknown-tag',
        message: `Tag "${name}" is not a DMARC tag; receivers ignore it${near ? ` (did you mean "${near}"?)` : ''}.`,
        tag: name,
        value: values[name],
      });
    } else if (REMOVED_DMARC_TAGS.includes(name as DmarcTagName)) {
      problems.push({
        code: 'removed-tag',
        message: `Tag "${name}" was removed by RFC 9989: current receivers ignore it, RFC 7489 receivers still act on it.`,
        tag: name,
        value: values[name],
      });
    }
  }

  const policy = (tag: 'p' | 'sp' | 'np'): DmarcPolicy | undefined | null => {
    const value = values[tag];
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if ((DMARC_POLICIES as readonly string[]).includes(lower)) return lower as DmarcPolicy;
    problems.push({
      code: 'invalid-policy-value',
      message: `${tag}=${value} is not a policy (expected none, quarantine or reject).`,
      tag,
      value,
    });
    return null;
  };
  const p = policy('p');
  const sp = policy('sp');
  const np = policy('np');
  if (p === undefined && isDmarc) {
    problems.push({ code: 'p-missing', message: 'The record has no p tag (policy).', tag: 'p' });
  }

  const rua = parseUriList('rua', values.rua, problems);
  const ruf = parseUriList('ruf', values.ruf, problems);

  const effective: DmarcEffectiveTags = {
    psd: enumValue('psd', values.psd, ['y', 'n', 'u'], DEFAULTS.psd, problems),
    t: enumValue('t', values.t, ['y', 'n'], DEFAULTS.t, problems),
    adkim: enumValue('adkim', values.adkim, ['r', 's'], DEFAULTS.adkim, problems),
    aspf: enumValue('aspf', values.aspf, ['r', 's'], DEFAULTS.aspf, problems),
    fo: colonList('fo', values.fo, ['0', '1', 'd', 's'], [...DEFAULTS.fo], problems),
    rf: colonList('rf', values.rf, ['afrf'], [...DEFAULTS.rf], problems),
    ri: integerValue('ri', values.ri, 0, MAX_RI, DEFAULTS.ri, problems),
    pct: integerValue('pct', values.pct, 0, 100, DEFAULTS.pct, problems),
    rua,
    ruf,
  };

  let policyState: ParsedDmarcRecord['policyState'];
  if (isDmarc && p && sp !== null && np !== null) {
    policyState = 'valid';
    effective.p = p;
    effective.sp = sp ?? p;
    effective.np = np ?? effective.sp;
  } else if (isDmarc && rua.some((u) => u.valid)) {
    policyState = 'treated-as-none';
    effective.p = effective.sp = effective.np = 'none';
  } else {
    policyState = 'ignored';
  }

  const invalid = new Set(
    problems
      .filter((p) => p.code === 'invalid-value' || p.code === 'invalid-policy-value')
      .map((p) => p.tag),
  );
  const validTags = DMARC_TAGS.filter(
    (tag) => values[tag] !== undefined && !invalid.has(tag) && (tag !== 'v' || isDmarc),
  );

  return { record, isDmarc, tags, values, validTags, effective, policyState, problems };
}

/** Checks the v tag; true when receivers would take the record for DMARC. */
function checkVersion(
  tags: Array<{ name: string; value: string }>,
  problems: DmarcRecordProblem[],
): boolean {
  const first = tags[0];
  if (first?.name !== 'v') {
    const later = tags.some((t) => t.name === 'v');
    problems.push(
      later
        ? {
            code: 'version-not-first',
            message: 'The v=DMARC1 tag is not the first tag; receivers ignore the whole record.',
            tag: 'v',
          }
        : {
            code: 'invalid-version',
            message: 'The record has no v=DMARC1 tag; receivers ignore it.',
            tag: 'v',
          },
    );
    return false;
  }
  const value = first.value;
  if (value === 'DMARC1') return true;
  if (value.toUpperCase() === 'DMARC1') {
    problems.push({
      code: 'version-case',
      message: `v=${value} must be written exactly "DMARC1"; strict receivers ignore the record.`,
      tag: 'v',
      value,
    });
    return true;
  }
  const missingSeparator = /^dmarc1[\s,]/i.test(value);
  problems.push({
    code: 'invalid-version',
    message: missingSeparator
      ? `v=${value}: tags must be separated by ";", so the version reads as "${value}" and receivers ignore the record.`
      : `v=${value} is not a DMARC version (expected DMARC1); receivers ignore the record.`,
    tag: 'v',
    value,
  });
  return false;
}

function uniqueTags(tags: Array<{ name: string; value: string }>) {
  const seen = new Set<string>();
  return tags.filter((t) => (seen.has(t.name) ? false : (seen.add(t.name), true)));
}

function enumValue<T extends string>(
  tag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  problems: DmarcRecordProblem[],
): T {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if ((allowed as readonly string[]).includes(lower)) return lower as T;
  problems.push({
    code: 'invalid-value',
    message: `${tag}=${value} is not valid (expected ${orList(allowed)}); receivers use the default ${fallback}.`,
    tag,
    value,
  });
  return fallback;
}

function colonList(
  tag: string,
  value: string | undefined,
  allowed: readonly string[],
  fallback: string[],
  problems: DmarcRecordProblem[],
): string[] {
  if (value === undefined) return fallback;
  const items = value.split(':').map((s) => s.trim().toLowerCase());
  if (items.every((item) => allowed.includes(item))) return [...new Set(items)];
  problems.push({
    code: 'invalid-value',
    message: `${tag}=${value} is not valid (expected ${orList(allowed)}${allowed.length > 1 ? ', separated by ":"' : ''}); receivers use the default ${fallback.join(':')}.`,
    tag,
    value,
  });
  return fallback;
}

function integerValue(
  tag: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
  problems: DmarcRecordProblem[],
): number {
  if (value === undefined) return fallback;
  if (/^\d{1,10}$/.test(value)) {
    const n = Number(value);
    if (n >= min && n <= max) return n;
  }
  problems.push({
    code: 'invalid-value',
    message: `${tag}=${value} is not valid (expected a whole number from ${min} to ${max}); receivers use the default ${fallback}.`,
    tag,
    value,
  });
  return fallback;
}

function parseUriList(
  tag: 'rua' | 'ruf',
  value: string | undefined,
  problems: DmarcRecordProblem[],
): DmarcUri[] {
  if (value === undefined) return [];
  const items = value.split(',').map((s) => s.trim());
  const uris: DmarcUri[] = [];
  for (const item of items) {
    if (item === '') {
      problems.push({
        code: 'invalid-uri',
        message: `${tag} has an empty entry ("${value}").`,
        tag,
        value,
      });
      continue;
    }
    uris.push(parseDmarcUri(tag, item, problems));
  }
  if (items.length > MAX_URIS_PER_TAG) {
    problems.push({
      code: 'too-many-destinations',
      message: `${tag} lists ${items.length} destinations; receivers need only send to the first two.`,
      tag,
      value,
    });
  }
  return uris;
}

/** One DMARC URI: `URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]` (RFC 7489 §6.4). */
export function parseDmarcUri(
  tag: 'rua' | 'ruf',
  raw: string,
  problems: DmarcRecordProblem[] = [],
): DmarcUri {
  const result: DmarcUri = { raw, uri: raw, valid: false, usable: false };
  const invalid = (why: string) => {
    problems.push({ code: 'invalid-uri', message: `${tag} URI "${raw}" ${why}`, tag, value: raw });
    return result;
  };

  const bang = raw.lastIndexOf('!');
  if (bang >= 0) {
    const size = raw.slice(bang + 1);
    const m = /^(\d+)([kmgt]?)$/i.exec(size);
    if (!m) {
      return invalid(
        `has a size limit "!${size}" that is not a number with an optional unit k, m, g or t.`,
      );
    }
    result.uri = raw.slice(0, bang);
    result.maxSize = { raw: size, bytes: Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! };
    problems.push({
      code: 'uri-size-limit',
      message: `${tag} URI "${raw}" has a size limit ("!${size}"): RFC 7489 syntax that RFC 9989 dropped.`,
      tag,
      value: raw,
    });
  }

  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(result.uri);
  if (!schemeMatch) {
    return invalid(
      result.uri.includes('@')
        ? `has no scheme; write "mailto:${result.uri}".`
        : 'is not a URI (no scheme such as "mailto:").',
    );
  }
  result.scheme = schemeMatch[1]!.toLowerCase();

  if (result.scheme !== 'mailto') {
    if (!URL.canParse(result.uri)) return invalid('is not a valid URI.');
    result.valid = true;
    problems.push({
      code: 'non-mailto-uri',
      message: `${tag} URI "${raw}" uses the "${result.scheme}" scheme; receivers are only required to support mailto.`,
      tag,
      value: raw,
    });
    return result;
  }

  const target = result.uri.slice(schemeMatch[0].length).split('?')[0]!;
  let address: string;
  try {
    address = decodeURIComponent(target);
  } catch {
    return invalid('has a malformed percent-encoding.');
  }
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domainPart = address.slice(at + 1);
  if (at <= 0 || domainPart === '') return invalid('is not a mailbox (expected local@domain).');
  if (/[\s<>,;]/.test(local)) {
    return invalid(`has an invalid local part "${local}".`);
  }
  try {
    result.domain = validateDomainName(domainPart).ascii;
  } catch (err) {
    if (!(err instanceof InvalidDomainName)) throw err;
    return invalid(`has an invalid domain "${domainPart}" (${err.message}).`);
  }
  result.address = `${local}@${result.domain}`;
  result.valid = true;
  result.usable = true;
  return result;
}

function orList(items: readonly string[]): string {
  return items.length === 1
    ? items[0]!
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The known tag one edit away from an unknown one, as a typo hint. */
function nearestTag(name: string): string | undefined {
  return DMARC_TAGS.find((tag) => tag.length > 1 && editDistance(tag, name) === 1);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
