/** One CAA record as the resolver gives it. */
export interface CaaRecordData {
  /** The flags byte; bit 128 is "issuer critical". */
  flags: number;
  /** Lowercase. */
  tag: string;
  value: string;
}

export interface CaaIssueValue {
  /** The CA's domain; null means "no CA" (`;` alone, empty, or malformed). */
  issuer: string | null;
  parameters: Record<string, string>;
  /** False when the value does not follow RFC 8659 §4.2 (CAs then treat it as naming no CA). */
  valid: boolean;
}

/** Tags with a defined meaning: RFC 8659, RFC 9495 (issuemail), CA/Browser Forum (contact*, issuevmc). */
export const KNOWN_CAA_TAGS = [
  'issue',
  'issuewild',
  'iodef',
  'issuemail',
  'issuevmc',
  'contactemail',
  'contactphone',
];

export const CAA_CRITICAL_FLAG = 128;

const LABEL = '[A-Za-z0-9](?:-*[A-Za-z0-9])*';
const ISSUER = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const PARAM_TAG = new RegExp(`^${LABEL}$`);
const PARAM_VALUE = /^[\x21-\x3a\x3c-\x7e]*$/;

/** Parses an issue / issuewild value (RFC 8659 §4.2): `[issuer] [; tag=value ...]`. */
export function parseIssueValue(value: string): CaaIssueValue {
  const semicolon = value.indexOf(';');
  const issuerPart = (semicolon < 0 ? value : value.slice(0, semicolon)).trim();
  const paramPart = semicolon < 0 ? '' : value.slice(semicolon + 1).trim();
  const invalid: CaaIssueValue = { issuer: null, parameters: {}, valid: false };
  if (issuerPart !== '' && !ISSUER.test(issuerPart)) return invalid;
  const parameters: Record<string, string> = {};
  if (paramPart !== '') {
    for (const raw of paramPart.split(';')) {
      const eq = raw.indexOf('=');
      if (eq < 0) return invalid;
      const tag = raw.slice(0, eq).trim();
      const v = raw.slice(eq + 1).trim();
      if (!PARAM_TAG.test(tag) || !PARAM_VALUE.test(v)) return invalid;
      parameters[tag] = v;
    }
  }
  return { issuer: issuerPart === '' ? null : issuerPart.toLowerCase(), parameters, valid: true };
}

/** Whether an iodef value is a URL a CA can report to (RFC 8659 §4.4: mailto, http, https). */
export function isValidIodef(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'mailto:') return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(url.pathname);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

export interface CaaPolicy {
  /** CAs that may issue non-wildcard certificates; empty with `restricted` means none. */
  issuers: string[];
  /** CAs that may issue wildcard certificates (issuewild if present, else issue). */
  wildcardIssuers: string[];
  /** issue properties exist: non-wildcard issuance is restricted to `issuers`. */
  issueRestricted: boolean;
  /** issue or issuewild properties exist: wildcard issuance is restricted. */
  wildcardRestricted: boolean;
  iodef: string[];
  invalidIodef: string[];
  /** issue / issuewild records whose value is malformed. */
  invalidIssueValues: CaaRecordData[];
  criticalUnknown: CaaRecordData[];
  unknownTags: CaaRecordData[];
  issueValues: Array<CaaRecordData & CaaIssueValue>;
}

/** What a CAA RRset allows (RFC 8659 §4): who may issue what, and what a CA must refuse. */
export function interpretCaa(records: CaaRecordData[]): CaaPolicy {
  const issueValues = records
    .filter((r) => r.tag === 'issue' || r.tag === 'issuewild')
    .map((r) => ({ ...r, ...parseIssueValue(r.value) }));
  const named = (tag: string) => [
    ...new Set(issueValues.filter((v) => v.tag === tag && v.issuer !== null).map((v) => v.issuer!)),
  ];
  const hasIssue = issueValues.some((v) => v.tag === 'issue');
  const hasIssuewild = issueValues.some((v) => v.tag === 'issuewild');
  const iodef = records.filter((r) => r.tag === 'iodef').map((r) => r.value);
  const unknown = records.filter((r) => !KNOWN_CAA_TAGS.includes(r.tag));
  return {
    issuers: named('issue'),
    // RFC 8659 §4.3: issuewild, when present, replaces issue for wildcard names.
    wildcardIssuers: hasIssuewild ? named('issuewild') : named('issue'),
    issueRestricted: hasIssue,
    wildcardRestricted: hasIssue || hasIssuewild,
    iodef,
    invalidIodef: iodef.filter((v) => !isValidIodef(v)),
    invalidIssueValues: issueValues
      .filter((v) => !v.valid)
      .map(({ flags, tag, value }) => ({ flags, tag, value })),
    criticalUnknown: unknown.filter((r) => (r.flags & CAA_CRITICAL_FLAG) !== 0),
    unknownTags: unknown.filter((r) => (r.flags & CAA_CRITICAL_FLAG) === 0),
    issueValues,
  };
}
