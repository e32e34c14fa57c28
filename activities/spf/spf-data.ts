import type { LookupStatus } from '../common/dns-lookup';
import type { SpfMechanismName, SpfQualifier, SpfTerm, TxtKind } from './spf-parser';

export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LOOKUP_LIMIT = 2;
export const SPF_MX_HOST_LIMIT = 10;

/**
 * One DNS-querying term, in the order a receiver evaluating every term would spend it.
 * `result`: `ok` (records found), `void` (NXDOMAIN or no records: a void lookup), `unknown`
 * (no definite answer), `not-evaluated` (needs data only a receiver has: ptr, or a macro
 * depending on the sender or the client address; it still costs a lookup).
 */
export interface SpfLookup {
  /** 1-based position among the lookups counted toward the limit of 10. */
  index: number;
  /** 0 for the scanned domain's record, 1 for a record it includes or redirects to, … */
  depth: number;
  /** The domain whose record holds the term. */
  domain: string;
  term: string;
  mechanism: SpfMechanismName | 'redirect';
  /** The name queried, after macro expansion; absent when it cannot be expanded. */
  target?: string;
  /** What it costs toward the limit of 10 (every DNS-querying term costs 1). */
  counts: number;
  result: 'ok' | 'void' | 'unknown' | 'not-evaluated';
  /** a/mx/exists: the addresses found. */
  addresses?: string[];
  /** mx: each MX host's address lookup (a separate limit of 10 per mx term). */
  mxHosts?: Array<{ host: string; result: 'ok' | 'void' | 'unknown'; addresses: string[] }>;
}

export interface SpfTreeNode {
  domain: string;
  depth: number;
  /** The term that led here (`include:…`, `redirect=…`); absent for the scanned domain. */
  via?: string;
  /**
   * `ok`: one SPF record, evaluated. `no-spf`/`multiple`: none or several (permerror).
   * `unknown`: the TXT lookup had no definite answer. `loop`: already on the chain, not
   * followed again. `not-followed`: the lookup budget of this scan ran out.
   */
  status: 'ok' | 'no-spf' | 'multiple' | 'unknown' | 'loop' | 'not-followed';
  record?: string;
  /** Lookups counted in this record and everything below it. */
  lookupCount: number;
  voidLookupCount: number;
  /** This record's own DNS-querying terms. */
  lookups: SpfLookup[];
  children: SpfTreeNode[];
}

export interface SpfTxtRecord {
  value: string;
  strings: string[];
  kind: Exclude<TxtKind, 'other'>;
}

export interface SpfData {
  /** TXT records at the domain that are, or look like, SPF. */
  records: SpfTxtRecord[];
  /** The single SPF record evaluated. */
  record?: string;
  terms: SpfTerm[];
  /** Counted DNS-querying terms across the tree (a lower bound when `lookupCountExact` is false). */
  lookupCount: number;
  /** False when part of the tree could not be followed (unknown answers, macros, loops, budget). */
  lookupCountExact: boolean;
  voidLookupCount: number;
  lookups: SpfLookup[];
  tree?: SpfTreeNode;
  /** Networks whose mail passes SPF (`+` qualifier all the way), flattened and deduplicated. */
  authorisedNetworks: string[];
  /** Networks listed with another result (`~`, `?`, `-`), first match per network. */
  otherNetworks: Array<{ network: string; qualifier: SpfQualifier; domain: string; term: string }>;
  /** Terms whose networks cannot be listed statically (ptr, exists, macro-dependent terms). */
  notFlattened: Array<{ domain: string; term: string; reason: string }>;
  /** The all mechanism that decides for unlisted senders (the redirect target's if redirected). */
  all?: { qualifier: SpfQualifier; domain: string; term: string };
  explanation?: { domain: string; status: LookupStatus; text?: string };
  /** Estimated size of the TXT answer without EDNS, in bytes. */
  txtResponseBytes?: number;
  /** The obsolete type-99 SPF record, asked separately. */
  spfRrType?: { status: LookupStatus; records: string[] };
}
