import { isIP } from 'node:net';
import { classifyAddress } from '../../libs/net/target-guard';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import { lookup, type CheckContext, type LookupResult } from '../common/dns-lookup';

export interface MxHost {
  exchange: string;
  priority: number;
  /** The CNAME target when the exchange is an alias; null when not (or undetermined). */
  cname: string | null;
  /** The exchange is an IP address written as a name. */
  ipLiteral: boolean;
  ipv4: string[];
  ipv6: string[];
  /** `resolves`: has an address; `no-address`: definitely none; `unknown`: undetermined. */
  status: 'resolves' | 'no-address' | 'unknown';
}

export interface MxData {
  /** Every MX record, by preference. */
  records: Array<{ exchange: string; priority: number }>;
  /** A null MX (`0 .`, exchange '') is among the records. */
  nullMx: boolean;
  /** The named hosts (null MX excluded), each once, by preference. */
  hosts: MxHost[];
  /** Without MX: the domain's own addresses, which senders use instead (implicit MX). */
  implicitMx: { ipv4: string[]; ipv6: string[] } | null;
}

type Undetermined = CheckReport['undetermined'];

function note(undetermined: Undetermined, name: string, type: string, r: LookupResult<unknown>) {
  if (r.status === 'unknown') undetermined.push({ name, type, code: r.error?.code ?? 'EUNKNOWN' });
}

async function addresses(ctx: CheckContext, name: string, undetermined: Undetermined) {
  const [a, aaaa] = await Promise.all([
    lookup(() => ctx.resolver.resolve4(name)),
    lookup(() => ctx.resolver.resolve6(name)),
  ]);
  note(undetermined, name, 'A', a);
  note(undetermined, name, 'AAAA', aaaa);
  const status: MxHost['status'] =
    a.records.length + aaaa.records.length > 0
      ? 'resolves'
      : a.status === 'unknown' || aaaa.status === 'unknown'
        ? 'unknown'
        : 'no-address';
  return { ipv4: a.records, ipv6: aaaa.records, status };
}

async function examineHost(
  ctx: CheckContext,
  record: { exchange: string; priority: number },
  undetermined: Undetermined,
): Promise<MxHost> {
  const bare = record.exchange.replace(/^\[(.*)\]$/, '$1');
  const [cname, found] = await Promise.all([
    lookup(async () => [await ctx.resolver.resolveCname(record.exchange)].flat()),
    addresses(ctx, record.exchange, undetermined),
  ]);
  note(undetermined, record.exchange, 'CNAME', cname);
  return {
    exchange: record.exchange,
    priority: record.priority,
    cname: cname.status === 'ok' ? cname.records[0]! : null,
    ipLiteral: isIP(bare) !== 0,
    ...found,
  };
}

function hostFindings(host: MxHost, ctx: CheckContext): Finding[] {
  const evidence = { exchange: host.exchange, priority: host.priority };
  if (host.ipLiteral) {
    return [
      {
        id: 'mx.host-ip-literal',
        severity: 'fail',
        message: `MX ${host.priority} ${host.exchange} is an IP address, not a host name: senders cannot use it.`,
        evidence,
      },
    ];
  }
  const findings: Finding[] = [];
  if (host.cname !== null) {
    findings.push({
      id: 'mx.host-cname',
      severity: 'warning',
      message: `MX host ${host.exchange} is an alias for ${host.cname}; MX records must name the canonical host.`,
      evidence: { ...evidence, cname: host.cname },
    });
  }
  if (host.status === 'no-address') {
    findings.push({
      id: 'mx.host-no-address',
      severity: 'fail',
      message: `MX host ${host.exchange} (preference ${host.priority}) has no A or AAAA record: mail cannot be delivered to it.`,
      evidence,
    });
  } else if (host.status === 'resolves' && !ctx.allowPrivateTargets) {
    const all = [...host.ipv4, ...host.ipv6];
    const refused = all.map(classifyAddress).filter((c) => !c.public);
    if (refused.length === all.length) {
      findings.push({
        id: 'mx.host-non-public-address',
        severity: 'warning',
        message: `MX host ${host.exchange} resolves only to non-public addresses (${refused.map((r) => `${r.address} ${r.range}`).join(', ')}).`,
        evidence: { ...evidence, addresses: refused },
      });
    }
  }
  return findings;
}

/**
 * The domain's mail hosts: MX records (null MX included), and for each host whether it resolves,
 * is an alias or an IP literal; without MX, whether the implicit MX (the domain's address) applies.
 */
export async function scanMx(domain: string, ctx: CheckContext): Promise<CheckReport<MxData>> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const undetermined: Undetermined = [];
  const findings: Finding[] = [];
  const data: MxData = { records: [], nullMx: false, hosts: [], implicitMx: null };
  const report = (): CheckReport<MxData> =>
    checkReport({
      check: 'mx',
      domain: name,
      findings,
      data,
      undetermined,
    });

  const mx = await lookup(async () =>
    (await ctx.resolver.resolveMx(name))
      .map(({ exchange, priority }) => ({ exchange: exchange.toLowerCase(), priority }))
      .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange)),
  );
  note(undetermined, name, 'MX', mx);
  if (mx.status === 'unknown') return report();

  if (mx.status === 'ok') {
    data.records = mx.records;
    // RFC 7505: the null MX is the root name ('.'), which the resolver returns as ''.
    const nulls = mx.records.filter((r) => r.exchange === '' || r.exchange === '.');
    const real = mx.records.filter((r) => !nulls.includes(r));
    data.nullMx = nulls.length > 0;
    if (nulls.length > 0 && real.length === 0) {
      const preference = nulls[0]!.priority;
      findings.push({
        id: 'mx.null-mx',
        severity: 'info',
        message: `${name} publishes a null MX: it accepts no mail${preference === 0 ? '' : ` (its preference should be 0, not ${preference})`}.`,
        evidence: { records: mx.records },
      });
      return report();
    }
    if (nulls.length > 0) {
      findings.push({
        id: 'mx.null-mx-mixed',
        severity: 'fail',
        message: `${name} publishes a null MX together with ${real.length} other MX record(s).`,
        evidence: { records: mx.records },
      });
    }
    const unique = real.filter((r, i) => real.findIndex((o) => o.exchange === r.exchange) === i);
    data.hosts = await Promise.all(unique.map((r) => examineHost(ctx, r, undetermined)));
    const hostProblems = data.hosts.flatMap((h) => hostFindings(h, ctx));
    findings.push(...hostProblems);
    const allResolve = data.hosts.every((h) => h.status === 'resolves');
    if (nulls.length === 0 && hostProblems.length === 0 && allResolve) {
      findings.push({
        id: 'mx.valid',
        severity: 'pass',
        message: `${name} has ${data.hosts.length} MX host(s), all resolving: ${data.hosts.map((h) => `${h.priority} ${h.exchange}`).join(', ')}.`,
        evidence: { hosts: data.hosts.map((h) => h.exchange) },
      });
    }
    return report();
  }

  // No MX (NODATA or NXDOMAIN): senders fall back to the domain's own address.
  const own = await addresses(ctx, name, undetermined);
  if (own.status === 'resolves') {
    data.implicitMx = { ipv4: own.ipv4, ipv6: own.ipv6 };
    findings.push({
      id: 'mx.none-implicit',
      severity: 'info',
      message: `${name} has no MX record: senders deliver to its address (${[...own.ipv4, ...own.ipv6].join(', ')}).`,
      evidence: { ipv4: own.ipv4, ipv6: own.ipv6 },
    });
  } else if (own.status === 'no-address') {
    findings.push({
      id: 'mx.none-no-mail',
      severity: 'info',
      message:
        mx.status === 'nxdomain'
          ? `${name} does not exist: it receives no mail.`
          : `${name} has no MX record and no address: it receives no mail (a null MX would say so explicitly).`,
      evidence: { mx: mx.status },
    });
  }
  return report();
}
