import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/lab';
import { InvalidDomainName } from '../../libs/domain-name';
import { freePort } from '../../libs/embedded/process-utils';
import { createScannerResolver } from '../../libs/net/scanner-resolver';
import type { CheckReport } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { DmarcFindings } from './dmarc.findings';
import { scanDmarc, type DmarcData } from './dmarc.scanner';

const LAB = 'perimeter.test';
const d = (name: string) => `${name}.${LAB}`;

function context(servers: string[], timeoutMs = 1000): CheckContext {
  return {
    resolver: createScannerResolver({ servers, timeoutMs, tries: 1 }),
    extraPublicSuffixes: [LAB],
    allowPrivateTargets: true,
  };
}

type Report = CheckReport<DmarcData>;
const ids = (r: Report) => r.findings.map((f) => f.id).sort();
const only = (r: Report, id: string) => {
  const matching = r.findings.filter((f) => f.id === id);
  expect(matching, id).toHaveLength(1);
  return matching[0]!;
};

// What a clean record with reports to its own domain shows.
const CLEAN = [
  'dmarc.destination-accepts-mail',
  'dmarc.policy-reject',
  'dmarc.record-found',
  'dmarc.rua-present',
  'dmarc.syntax-valid',
];
const sorted = (list: string[]) => [...list].sort();
const cleanWith = (...more: string[]) => sorted([...CLEAN, ...more]);
const cleanWithout = (...less: string[]) => CLEAN.filter((id) => !less.includes(id));

describe('DMARC scanner, against the lab DNS server', () => {
  let lab: Lab;
  const reports: Report[] = [];
  const scan = async (domain: string) => {
    const report = await scanDmarc(domain, context(lab.resolvers));
    reports.push(report);
    expect(report.check).toBe('dmarc');
    return report;
  };

  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(() => lab?.close());

  describe('discovery', () => {
    it('good: reject, reports to itself; every finding a pass', async () => {
      const r = await scan(d('dmarc-good'));
      expect(r).toMatchObject({ domain: d('dmarc-good'), status: 'completed', undetermined: [] });
      expect(ids(r)).toEqual(CLEAN);
      expect(r.findings.every((f) => f.severity === 'pass')).toBe(true);
      expect(r.data.policy).toMatchObject({
        source: 'exact',
        domain: d('dmarc-good'),
        name: `_dmarc.${d('dmarc-good')}`,
        inherited: false,
        appliedTag: 'p',
        effectivePolicy: 'reject',
        policyState: 'valid',
        testing: false,
      });
      expect(r.data.records).toEqual([
        {
          name: `_dmarc.${d('dmarc-good')}`,
          record: `v=DMARC1; p=reject; rua=mailto:dmarc@${d('dmarc-good')}`,
        },
      ]);
      expect(r.data.organisationalDomain).toBe(d('dmarc-good'));
      expect(r.data.treeWalkOrganisationalDomain).toBe(d('dmarc-good'));
      expect(r.data.tags?.effective).toMatchObject({
        p: 'reject',
        sp: 'reject',
        np: 'reject',
        adkim: 'r',
        aspf: 'r',
        fo: ['0'],
        ri: 86400,
        pct: 100,
        t: 'n',
        psd: 'u',
      });
      expect(r.data.tags?.removedInRfc9989).toEqual(['pct', 'rf', 'ri']);
      expect(r.data.destinations).toEqual([
        {
          tag: 'rua',
          uri: `mailto:dmarc@${d('dmarc-good')}`,
          address: `dmarc@${d('dmarc-good')}`,
          domain: d('dmarc-good'),
          external: false,
          mail: { status: 'mx', hosts: [`mail.${d('dmarc-good')}`] },
        },
      ]);
    });

    it('none: no record anywhere is a failure', async () => {
      const r = await scan(d('dmarc-none'));
      expect(r.status).toBe('completed');
      expect(ids(r)).toEqual(['dmarc.missing']);
      expect(only(r, 'dmarc.missing').severity).toBe('fail');
      expect(r.data.policy).toBeUndefined();
      expect(r.data.discovery).toEqual([
        {
          domain: d('dmarc-none'),
          name: `_dmarc.${d('dmarc-none')}`,
          status: 'nxdomain',
          txt: [],
          dmarcRecords: [],
        },
      ]);
    });

    it('a subdomain without a record inherits its organisational domain’s, with sp', async () => {
      const r = await scan(d('sub.dmarc-good'));
      expect(r.status).toBe('completed');
      expect(ids(r)).toEqual(cleanWith('dmarc.policy-inherited'));
      expect(r.data.policy).toMatchObject({
        source: 'organisational',
        domain: d('dmarc-good'),
        inherited: true,
        domainExists: true,
        appliedTag: 'sp',
        effectivePolicy: 'reject',
      });
      expect(r.data.discovery.map((s) => [s.name, s.status])).toEqual([
        [`_dmarc.${d('sub.dmarc-good')}`, 'nxdomain'],
        [`_dmarc.${d('dmarc-good')}`, 'ok'],
      ]);
      expect(only(r, 'dmarc.policy-reject').message).toContain('sp=reject');
    });

    it('a subdomain that does not exist gets np', async () => {
      const r = await scan(d('gone.dmarc-good'));
      expect(r.data.policy).toMatchObject({
        inherited: true,
        domainExists: false,
        appliedTag: 'np',
        effectivePolicy: 'reject',
      });
      expect(only(r, 'dmarc.policy-reject').message).toContain('np=reject');
    });

    it('tree walk: a.b finds the record at b, which RFC 7489 receivers miss', async () => {
      const r = await scan(d('a.b.dmarc-tree'));
      expect(r.status).toBe('completed');
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.policy-reject'),
          'dmarc.policy-quarantine',
          'dmarc.policy-inherited',
          'dmarc.discovery-differs',
        ]),
      );
      expect(r.data.policy).toMatchObject({
        source: 'tree-walk',
        domain: d('b.dmarc-tree'),
        inherited: true,
        appliedTag: 'sp',
        effectivePolicy: 'quarantine',
      });
      expect(r.data.organisationalDomain).toBe(d('dmarc-tree'));
      expect(r.data.treeWalkOrganisationalDomain).toBe(d('b.dmarc-tree'));
      expect(r.data.discovery.map((s) => s.domain)).toEqual([
        d('a.b.dmarc-tree'),
        d('b.dmarc-tree'),
        d('dmarc-tree'),
      ]);
      expect(only(r, 'dmarc.discovery-differs').evidence).toEqual({
        rfc9989: `_dmarc.${d('b.dmarc-tree')}`,
        rfc7489: null,
      });
    });

    it('psd=n: the walk stops at dept, which becomes the organisational domain', async () => {
      const r = await scan(d('team.dept.dmarc-psd-n'));
      expect(r.data.discovery.map((s) => [s.domain, s.psd])).toEqual([
        [d('team.dept.dmarc-psd-n'), undefined],
        [d('dept.dmarc-psd-n'), 'n'],
      ]);
      expect(r.data.treeWalkOrganisationalDomain).toBe(d('dept.dmarc-psd-n'));
      expect(r.data.policy).toMatchObject({
        source: 'tree-walk',
        domain: d('dept.dmarc-psd-n'),
        effectivePolicy: 'quarantine',
      });
      expect(only(r, 'dmarc.discovery-differs').evidence).toEqual({
        rfc9989: `_dmarc.${d('dept.dmarc-psd-n')}`,
        rfc7489: `_dmarc.${d('dmarc-psd-n')}`,
      });
    });

    it('a record between the domain and its organisational domain does not apply', async () => {
      const r = await scan(d('x.dept.dmarc-intermediate'));
      expect(ids(r)).toEqual(
        cleanWith('dmarc.policy-inherited', 'dmarc.intermediate-record-ignored'),
      );
      expect(r.data.policy).toMatchObject({
        source: 'organisational',
        domain: d('dmarc-intermediate'),
        effectivePolicy: 'reject',
      });
      expect(only(r, 'dmarc.intermediate-record-ignored').evidence).toMatchObject({
        name: `_dmarc.${d('dept.dmarc-intermediate')}`,
      });
      // dept itself is governed by its own record.
      const dept = await scan(d('dept.dmarc-intermediate'));
      expect(dept.data.policy).toMatchObject({ source: 'exact', effectivePolicy: 'none' });
    });

    it('psd=y: a subdomain without a record gets the public suffix domain’s policy', async () => {
      const r = await scan(d('shop.dmarc-psd-y'));
      expect(ids(r)).toEqual(cleanWith('dmarc.psd-policy'));
      expect(r.data.treeWalkOrganisationalDomain).toBe(d('shop.dmarc-psd-y'));
      expect(r.data.policy).toMatchObject({
        source: 'public-suffix',
        domain: d('dmarc-psd-y'),
        inherited: true,
        appliedTag: 'sp',
      });
      const apex = await scan(d('dmarc-psd-y'));
      expect(ids(apex)).toEqual(cleanWith('dmarc.psd-declared'));
    });

    it('multiple: two DMARC records are discarded, so no policy applies', async () => {
      const r = await scan(d('dmarc-multiple'));
      expect(ids(r)).toEqual(['dmarc.multiple-records']);
      const finding = only(r, 'dmarc.multiple-records');
      expect(finding.severity).toBe('fail');
      expect(finding.message).toMatch(/no DMARC policy applies/);
      expect(finding.evidence?.records).toHaveLength(2);
      expect(r.data.policy).toBeUndefined();
      expect(r.data.records).toHaveLength(2);
    });

    it('an SPF record at _dmarc (and no DMARC record)', async () => {
      const r = await scan(d('dmarc-spf-at-dmarc'));
      expect(ids(r)).toEqual(['dmarc.missing', 'dmarc.spf-at-dmarc']);
      expect(only(r, 'dmarc.spf-at-dmarc').evidence).toMatchObject({
        records: ['v=spf1 mx -all'],
      });
    });

    it('another TXT record next to the DMARC record', async () => {
      const r = await scan(d('dmarc-stray-txt'));
      expect(ids(r)).toEqual(cleanWith('dmarc.non-dmarc-txt'));
      expect(only(r, 'dmarc.non-dmarc-txt').severity).toBe('info');
    });

    it('a CNAME’d _dmarc, and the target’s record applies', async () => {
      const r = await scan(d('dmarc-cname'));
      expect(r.status).toBe('completed');
      expect(ids(r)).toEqual(cleanWith('dmarc.cname', 'dmarc.external-destination-authorised'));
      expect(only(r, 'dmarc.cname').evidence).toEqual({
        name: `_dmarc.${d('dmarc-cname')}`,
        target: `_dmarc.${d('dmarc-cname-target')}`,
        targetResolves: true,
      });
      expect(r.data.discovery[0]?.cname).toEqual({
        target: `_dmarc.${d('dmarc-cname-target')}`,
        targetResolves: true,
      });
      expect(r.data.policy).toMatchObject({ source: 'exact', domain: d('dmarc-cname') });
    });

    it('a CNAME’d _dmarc whose target does not exist', async () => {
      const r = await scan(d('dmarc-cname-dangling'));
      expect(ids(r)).toEqual(['dmarc.cname', 'dmarc.missing']);
      expect(only(r, 'dmarc.cname').evidence).toMatchObject({ targetResolves: false });
    });

    it('v=DMARC1 not first: receivers ignore the record', async () => {
      const r = await scan(d('dmarc-version-not-first'));
      expect(ids(r)).toEqual(['dmarc.version-not-first']);
      expect(r.data.policy).toBeUndefined();
    });
  });

  describe('the record', () => {
    it('bad tags: each invalid value and the unknown tag, by name', async () => {
      const r = await scan(d('dmarc-bad-tags'));
      const invalid = r.findings
        .filter((f) => f.id === 'dmarc.invalid-value' || f.id === 'dmarc.invalid-policy-value')
        .map((f) => `${f.evidence?.tag}=${f.evidence?.value}`)
        .sort();
      expect(invalid).toEqual([
        'adkim=x',
        'aspf=strict',
        'fo=2',
        'p=rejectt',
        'pct=150',
        'psd=q',
        'sp=maybe',
        't=maybe',
      ]);
      expect(only(r, 'dmarc.unknown-tag').evidence).toMatchObject({ tag: 'foo', value: 'bar' });
      expect(ids(r)).not.toContain('dmarc.syntax-valid');
      // No valid p, but a valid rua: receivers treat it as p=none.
      expect(r.data.policy).toMatchObject({
        policyState: 'treated-as-none',
        effectivePolicy: 'none',
      });
      expect(only(r, 'dmarc.policy-none').message).toMatch(/treat it as p=none/);
      expect(r.data.problems.length).toBeGreaterThanOrEqual(10);
    });

    it('a duplicate tag', async () => {
      const r = await scan(d('dmarc-duplicate-tag'));
      expect(ids(r)).toEqual(
        cleanWith('dmarc.duplicate-tag').filter((id) => id !== 'dmarc.syntax-valid'),
      );
      expect(only(r, 'dmarc.duplicate-tag')).toMatchObject({
        severity: 'fail',
        evidence: { tag: 'p', value: 'none' },
      });
    });

    it('removed tags: pct, rf and ri', async () => {
      const r = await scan(d('dmarc-removed-tags'));
      expect(ids(r)).toEqual(
        cleanWith('dmarc.removed-tag', 'dmarc.removed-tag', 'dmarc.removed-tag'),
      );
      expect(
        r.findings.filter((f) => f.id === 'dmarc.removed-tag').map((f) => f.evidence?.tag),
      ).toEqual(['pct', 'rf', 'ri']);
      expect(r.data.tags?.effective).toMatchObject({ pct: 100, rf: ['afrf'], ri: 3600 });
    });

    it('no p tag: treated as p=none thanks to its rua', async () => {
      const r = await scan(d('dmarc-p-missing'));
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.policy-reject', 'dmarc.syntax-valid'),
          'dmarc.p-missing',
          'dmarc.policy-none',
        ]),
      );
      expect(only(r, 'dmarc.p-missing').severity).toBe('fail');
    });
  });

  describe('policy strength', () => {
    it('p=none: monitoring only', async () => {
      const r = await scan(d('dmarc-p-none'));
      expect(ids(r)).toEqual(sorted([...cleanWithout('dmarc.policy-reject'), 'dmarc.policy-none']));
      expect(only(r, 'dmarc.policy-none').severity).toBe('warning');
    });

    it('quarantine with pct=50', async () => {
      const r = await scan(d('dmarc-quarantine-pct50'));
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.policy-reject'),
          'dmarc.policy-quarantine',
          'dmarc.pct-partial',
          'dmarc.removed-tag',
        ]),
      );
      expect(only(r, 'dmarc.pct-partial').evidence).toEqual({ pct: 50 });
      expect(r.data.tags?.effective.pct).toBe(50);
    });

    it('sp weaker than p', async () => {
      const r = await scan(d('dmarc-sp-weaker'));
      expect(ids(r)).toEqual(cleanWith('dmarc.subdomain-policy-weaker'));
      expect(only(r, 'dmarc.subdomain-policy-weaker').evidence).toEqual({
        tag: 'sp',
        value: 'none',
        p: 'reject',
      });
    });

    it('t=y: testing mode', async () => {
      const r = await scan(d('dmarc-testing'));
      expect(ids(r)).toEqual(cleanWith('dmarc.testing-mode'));
      expect(r.data.policy?.testing).toBe(true);
    });
  });

  describe('reporting', () => {
    it('no rua', async () => {
      const r = await scan(d('dmarc-no-rua'));
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.rua-present', 'dmarc.destination-accepts-mail'),
          'dmarc.no-rua',
        ]),
      );
      expect(r.data.destinations).toEqual([]);
    });

    it('ruf: failure reports requested', async () => {
      const r = await scan(d('dmarc-ruf'));
      expect(ids(r)).toEqual(cleanWith('dmarc.ruf-present'));
      expect(r.data.destinations.map((x) => [x.tag, x.address])).toEqual([
        ['rua', `dmarc@${d('dmarc-ruf')}`],
        ['ruf', `forensic@${d('dmarc-ruf')}`],
      ]);
    });

    it('three rua destinations', async () => {
      const r = await scan(d('dmarc-three-rua'));
      expect(ids(r)).toEqual(cleanWith('dmarc.too-many-destinations'));
      expect(r.data.destinations).toHaveLength(3);
    });

    it('URIs: a size limit, a non-mailto scheme, a missing "mailto:"', async () => {
      const r = await scan(d('dmarc-uris'));
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.syntax-valid'),
          'dmarc.uri-size-limit',
          'dmarc.non-mailto-uri',
          'dmarc.invalid-uri',
        ]),
      );
      expect(r.data.tags?.effective.rua[0]).toMatchObject({
        address: `dmarc@${d('dmarc-uris')}`,
        maxSize: { raw: '10m', bytes: 10 * 1024 * 1024 },
      });
      expect(only(r, 'dmarc.invalid-uri').evidence).toMatchObject({
        tag: 'ruf',
        value: `dmarc@${d('dmarc-uris')}`,
      });
      expect(r.data.destinations.map((x) => x.uri)).toEqual([`mailto:dmarc@${d('dmarc-uris')}`]);
    });

    it('an external destination that authorises the reports', async () => {
      const r = await scan(d('dmarc-external-authorised'));
      expect(ids(r)).toEqual(cleanWith('dmarc.external-destination-authorised'));
      expect(r.data.destinations).toEqual([
        expect.objectContaining({
          domain: d('dmarc-reports'),
          external: true,
          authorisation: {
            name: `${d('dmarc-external-authorised')}._report._dmarc.${d('dmarc-reports')}`,
            status: 'authorised',
            via: 'explicit',
            records: ['v=DMARC1'],
          },
          mail: { status: 'mx', hosts: [`mail.${d('dmarc-reports')}`] },
        }),
      ]);
    });

    it('an external destination that does not authorise them', async () => {
      const r = await scan(d('dmarc-external-unauthorised'));
      expect(ids(r)).toEqual(cleanWith('dmarc.external-destination-unauthorised'));
      expect(only(r, 'dmarc.external-destination-unauthorised').evidence).toMatchObject({
        destination: d('dmarc-reports'),
        name: `${d('dmarc-external-unauthorised')}._report._dmarc.${d('dmarc-reports')}`,
      });
      expect(r.data.destinations[0]?.authorisation?.status).toBe('unauthorised');
    });

    it('an external destination that authorises every domain by wildcard', async () => {
      const r = await scan(d('dmarc-external-wildcard'));
      expect(ids(r)).toEqual(cleanWith('dmarc.external-destination-authorised'));
      expect(r.data.destinations[0]?.authorisation).toMatchObject({
        status: 'authorised',
        via: 'wildcard',
      });
    });

    it('destination domains that take no mail: no MX nor address, and a null MX', async () => {
      const r = await scan(d('dmarc-rua-no-mx'));
      expect(ids(r)).toEqual(
        sorted([
          ...cleanWithout('dmarc.destination-accepts-mail'),
          'dmarc.destination-no-mx',
          'dmarc.destination-no-mx',
        ]),
      );
      expect(r.data.destinations.map((x) => [x.domain, x.external, x.mail.status])).toEqual([
        [d('reports.dmarc-rua-no-mx'), false, 'none'],
        [d('nullmx.dmarc-rua-no-mx'), false, 'null-mx'],
      ]);
    });
  });

  it('refuses an invalid domain name before asking anything', async () => {
    await expect(scanDmarc('not a domain', context(lab.resolvers))).rejects.toBeInstanceOf(
      InvalidDomainName,
    );
    await expect(scanDmarc('_dmarc.example.com', context(lab.resolvers))).rejects.toBeInstanceOf(
      InvalidDomainName,
    );
  });

  it('emits only catalogued ids, with the catalogue’s severity', () => {
    expect(reports.length).toBeGreaterThan(25);
    const emitted = new Set<string>();
    for (const report of reports) {
      for (const finding of report.findings) {
        emitted.add(finding.id);
        expect(DmarcFindings[finding.id], finding.id).toBeDefined();
        expect(finding.severity, finding.id).toBe(DmarcFindings[finding.id]!.severity);
        expect(finding.message.length).toBeGreaterThan(10);
      }
    }
    // The lab postures exercise most of the catalogue.
    expect(emitted.size / Object.keys(DmarcFindings).length).toBeGreaterThan(0.75);
  });
});

describe('DMARC scanner, when DNS answers cannot be determined', () => {
  it('reports unknown, and no finding, when no server answers', async () => {
    const port = await freePort();
    const r = await scanDmarc(d('dmarc-good'), context([`127.0.0.1:${port}`], 300));
    expect(r.status).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.undetermined).toContainEqual(
      expect.objectContaining({ name: `_dmarc.${d('dmarc-good')}`, type: 'TXT' }),
    );
    expect(r.data.policy).toBeUndefined();
  });

  describe('with a server too slow for some names', () => {
    let lab: Lab;
    const DELAY_MS = 800;
    beforeAll(async () => {
      lab = await startLab({
        dnsUdpDelayMs: ({ name }) =>
          name.includes('._report._dmarc.') || name.startsWith('_dmarc.dmarc-tree.') ? DELAY_MS : 0,
      });
    });
    afterAll(async () => {
      // Let the held-back answers go out before the sockets close.
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS + 100));
      await lab?.close();
    });

    it('keeps what is certain when only the authorisation lookup times out', async () => {
      const r = await scanDmarc(d('dmarc-external-authorised'), context(lab.resolvers, 300));
      expect(r.status).toBe('unknown');
      expect(r.undetermined).toEqual([
        {
          name: `${d('dmarc-external-authorised')}._report._dmarc.${d('dmarc-reports')}`,
          type: 'TXT',
          code: expect.any(String),
        },
      ]);
      expect(ids(r)).toEqual(CLEAN);
      expect(r.data.destinations[0]?.authorisation?.status).toBe('unknown');
    });

    it('does not claim a missing or inherited policy when a parent name times out', async () => {
      const r = await scanDmarc(d('a.b.dmarc-tree'), context(lab.resolvers, 300));
      expect(r.status).toBe('unknown');
      expect(r.undetermined.map((u) => u.name)).toContain(`_dmarc.${d('dmarc-tree')}`);
      expect(ids(r)).not.toContain('dmarc.missing');
      expect(r.data.policy).toBeUndefined();
      expect(r.data.treeWalkOrganisationalDomain).toBeUndefined();
    });
  });
});
