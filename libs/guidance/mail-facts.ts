import type { DkimData } from '../../activities/dkim/dkim.scanner';
import type { DmarcData } from '../../activities/dmarc/dmarc.scanner';
import type { SpfData } from '../../activities/spf/spf-data';
import type { ScanFacts } from './scan-facts';

/** The DMARC policy receivers apply to this domain, as the DMARC check determined it. */
export interface DmarcView {
  /** A record applies (own or inherited) and receivers act on it. */
  applies: boolean;
  policy: 'none' | 'quarantine' | 'reject' | null;
  /** RFC 7489 pct (100 when absent). */
  pct: number;
  /** t=y */
  testing: boolean;
  ruaCount: number;
  inherited: boolean;
}

/** Undefined when the DMARC check did not complete. */
export function dmarcOf(facts: ScanFacts): DmarcView | undefined {
  const data = facts.data<DmarcData>('dmarc');
  if (!data) return undefined;
  const policy = data.policy?.effectivePolicy ?? null;
  return {
    applies: policy !== null,
    policy,
    pct: data.tags?.effective.pct ?? 100,
    testing: data.policy?.testing ?? false,
    ruaCount: data.tags?.effective.rua.length ?? 0,
    inherited: data.policy?.inherited ?? false,
  };
}

/** Quarantine or reject, on all the mail (pct 100). */
export function dmarcEnforced(dmarc: DmarcView | undefined): boolean {
  return (
    !!dmarc && (dmarc.policy === 'quarantine' || dmarc.policy === 'reject') && dmarc.pct === 100
  );
}

export interface SpfView {
  record: string | null;
  /** One record that receivers evaluate without permerror, within the lookup limits. */
  valid: boolean;
  allQualifier: '+' | '-' | '~' | '?' | null;
  lookupCount: number;
  voidLookupCount: number;
  /** The record says the domain sends no mail at all: `v=spf1 -all`. */
  sendsNoMail: boolean;
}

/** Findings after which receivers get `permerror` for every message. */
export const SPF_PERMERROR_FINDINGS = [
  'spf.multiple-records',
  'spf.syntax-error',
  'spf.invalid-macro',
  'spf.macro-in-ip',
  'spf.invalid-cidr',
  'spf.duplicate-modifier',
  'spf.redirect-missing',
  'spf.include-missing',
  'spf.include-loop',
  'spf.too-many-lookups',
  'spf.too-many-void-lookups',
  'spf.mx-too-many-hosts',
] as const;

export function spfOf(facts: ScanFacts): SpfView | undefined {
  const data = facts.data<SpfData>('spf');
  if (!data) return undefined;
  const record = data.record ?? null;
  return {
    record,
    valid: facts.has('spf.valid'),
    allQualifier: data.all?.qualifier ?? null,
    lookupCount: data.lookupCount,
    voidLookupCount: data.voidLookupCount,
    sendsNoMail: record !== null && /^v=spf1\s+-all\s*$/i.test(record.trim()),
  };
}

export interface DkimKeyView {
  selector: string;
  keyType: 'rsa' | 'ed25519' | null;
  keyBits: number | null;
}

/** The keys a verifier could use; undefined when the DKIM check did not complete. */
export function usableDkimKeys(facts: ScanFacts): DkimKeyView[] | undefined {
  const data = facts.data<DkimData>('dkim');
  if (!data) return undefined;
  return data.selectors
    .filter((s) => s.usable)
    .map((s) => ({ selector: s.selector, keyType: s.keyType, keyBits: s.keyBits }));
}

/** The domain declares it accepts no mail (null MX). */
export function hasNullMx(facts: ScanFacts): boolean {
  return facts.has('mx.null-mx');
}
