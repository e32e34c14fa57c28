import { describe, expect, it } from 'vitest';
import { describeCatalogue, useLab } from '../../test/support/check-harness';
import type { Lab } from '../../lab/lab';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport, Finding } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { DnssecFindings } from './dnssec.findings';
import { judgeDnssec, scanDnssec, type DnssecData } from './dnssec.scanner';

let lab: Lab;
let ctx: CheckContext;
const emitted: Finding[] = [];

useLab((l, c) => {
  lab = l;
  ctx = c;
});

async function scan(domain: string) {
  const report = await scanDnssec(domain, ctx, { timeoutMs: 1000 });
  emitted.push(...report.findings);
  return report;
}

const ids = (r: CheckReport<DnssecData>) => r.findings.map((f) => f.id).sort();

// The lab answers as a validating resolver would (see lab/dns/dns-server.ts, dnssecStatus).
describe('scanDnssec against the lab', () => {
  it('dnssec-signed: validated (AD), two Ed25519 keys', async () => {
    const r = await scan('dnssec-signed.perimeter.test');
    expect(r).toMatchObject({ check: 'dnssec', status: 'completed', undetermined: [] });
    expect(ids(r)).toEqual(['dnssec.validated']);
    expect(r.data).toMatchObject({
      zone: 'dnssec-signed.perimeter.test',
      resolver: lab.resolvers[0],
      verdict: 'secure',
      authenticated: true,
      bogus: false,
      // The lab does not serve perimeter.test: the DS query gets NODATA from the zone itself.
      ds: [],
    });
    expect(r.data.dnskeys).toEqual([
      {
        flags: 257,
        algorithm: 15,
        algorithmName: 'ED25519',
        keyTag: 62947,
        secureEntryPoint: true,
      },
      {
        flags: 256,
        algorithm: 15,
        algorithmName: 'ED25519',
        keyTag: 49082,
        secureEntryPoint: false,
      },
    ]);
  });

  it('a name inside a signed zone is judged by its zone', async () => {
    const r = await scan('www.dnssec-chain.dnssec-parent.perimeter.test');
    expect(ids(r)).toEqual(['dnssec.validated']);
    expect(r.data.zone).toBe('dnssec-chain.dnssec-parent.perimeter.test');
  });

  it('dnssec-chain: DS at the served parent matches the DNSKEY', async () => {
    const r = await scan('dnssec-chain.dnssec-parent.perimeter.test');
    expect(ids(r)).toEqual(['dnssec.validated']);
    expect(r.data.ds).toEqual([
      {
        keyTag: 31624,
        algorithm: 15,
        digestType: 2,
        digestTypeName: 'SHA-256',
        digest: '767dad9413666f6f5c2ff580d82324e05a815531971fc1def588235e15d3bd71',
        matches: 'match',
      },
    ]);
  });

  it('dnssec-unsigned: no DNSKEY, no DS', async () => {
    const r = await scan('dnssec-unsigned.perimeter.test');
    expect(ids(r)).toEqual(['dnssec.unsigned']);
    expect(r.data).toMatchObject({
      verdict: 'insecure',
      authenticated: false,
      dnskeys: [],
      ds: [],
    });
  });

  it('dnssec-bogus: SERVFAIL without CD, data with CD', async () => {
    const r = await scan('dnssec-bogus.perimeter.test');
    expect(r.status).toBe('completed');
    expect(ids(r)).toEqual(['dnssec.bogus']);
    expect(r.data).toMatchObject({
      verdict: 'bogus',
      bogus: true,
      zone: 'dnssec-bogus.perimeter.test',
    });
    expect(r.data.dnskeys).toHaveLength(1);
  });

  it('dnssec-island: signed, no DS at the parent, deprecated algorithm', async () => {
    const r = await scan('dnssec-island.dnssec-parent.perimeter.test');
    expect(ids(r)).toEqual(['dnssec.deprecated-algorithm', 'dnssec.signed-not-validated']);
    expect(r.data).toMatchObject({ verdict: 'signed-not-validated', ds: [] });
    expect(r.findings.find((f) => f.id === 'dnssec.signed-not-validated')!.message).toMatch(
      /no DS record/,
    );
  });

  it('dnssec-ds-only: DS at the parent, no DNSKEY: bogus and a broken chain', async () => {
    const r = await scan('dnssec-ds-only.dnssec-parent.perimeter.test');
    expect(ids(r)).toEqual(['dnssec.bogus', 'dnssec.ds-without-dnskey']);
    expect(r.data).toMatchObject({ dnskeys: [], ds: [{ keyTag: 55702, matches: 'no-match' }] });
  });

  it('reports unknown, with no findings, when the resolver does not answer', async () => {
    const dead = createScannerResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const r = await scanDnssec(
      'dnssec-signed.perimeter.test',
      { ...ctx, resolver: dead },
      {
        timeoutMs: 300,
      },
    );
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.data.verdict).toBe('unknown');
    expect(r.undetermined).toEqual([
      { name: 'dnssec-signed.perimeter.test', type: 'SOA', code: expect.any(String) },
    ]);
  });

  it('reports unknown when the server refuses (outside its zones)', async () => {
    const r = await scanDnssec('example.com', ctx, { timeoutMs: 300 });
    expect(r.status).toBe('unknown');
    expect(r.undetermined).toEqual([{ name: 'example.com', type: 'SOA', code: 'EREFUSED' }]);
  });
});

describe('judgeDnssec, for what the lab cannot show', () => {
  const key = {
    flags: 257,
    algorithm: 13,
    algorithmName: 'ECDSAP256SHA256',
    keyTag: 1,
    secureEntryPoint: true,
  };
  const ds = {
    keyTag: 2,
    algorithm: 13,
    digestType: 1,
    digestTypeName: 'SHA-1',
    digest: '00',
    matches: 'no-match' as const,
  };

  it('a DS that matches no DNSKEY, with a SHA-1 digest', () => {
    const judged = judgeDnssec({
      zone: 'x.test',
      resolver: '127.0.0.1:53',
      authenticated: false,
      bogus: false,
      dnskeys: [key],
      ds: [ds],
    });
    emitted.push(...judged.findings);
    expect(judged.verdict).toBe('signed-not-validated');
    expect(judged.findings.map((f) => f.id).sort()).toEqual([
      'dnssec.deprecated-ds-digest',
      'dnssec.ds-mismatch',
      'dnssec.signed-not-validated',
    ]);
  });

  it('says nothing that depends on an unknown answer', () => {
    // No AD, DNSKEY unknown: neither signed nor unsigned can be said.
    const judged = judgeDnssec({
      zone: 'x.test',
      resolver: '127.0.0.1:53',
      authenticated: false,
      bogus: false,
      dnskeys: null,
      ds: [],
    });
    expect(judged).toEqual({ verdict: 'unknown', findings: [] });
    // DS unknown: the zone is signed, whether a DS exists is not said.
    const signed = judgeDnssec({
      zone: 'x.test',
      resolver: '127.0.0.1:53',
      authenticated: false,
      bogus: false,
      dnskeys: [key],
      ds: null,
    });
    expect(signed.findings.map((f) => f.id)).toEqual(['dnssec.signed-not-validated']);
    expect(signed.findings[0]!.message).toMatch(/could not be determined/);
  });
});

describeCatalogue('dnssec', DnssecFindings, emitted);
