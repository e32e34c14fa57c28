import { isIP } from 'node:net';
import { TargetNotAllowed, TargetUnresolvable } from '../../libs/net/errors';
import { resolveTarget } from '../../libs/net/target-guard';
import { type CheckReport, checkReport } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { tcpConnector } from './probe';
import {
  evaluateTlsEndpoint,
  TLS_DEFAULTS,
  tlsEndpointFindings,
  type TlsHostReport,
} from './tls-evaluation';

export interface TlsData {
  /** The endpoints scanned (the domain, or www.<domain> when the domain has no address). */
  hosts: TlsHostReport[];
}

type Undetermined = CheckReport['undetermined'];

/** Resolves a host through the scanners' resolver and the target guard; null when it has no address. */
export async function allowedAddress(
  host: string,
  ctx: CheckContext,
  undetermined: Undetermined,
): Promise<string | null> {
  try {
    const { allowed, refused } = await resolveTarget(host, ctx.resolver, {
      allowPrivateTargets: ctx.allowPrivateTargets,
    });
    if (allowed.length === 0 && refused.length > 0) throw new TargetNotAllowed(host, refused);
    // IPv4 first: lab and most servers; one address is what sslyze scans too.
    return allowed.find((a) => isIP(a) === 4) ?? allowed[0] ?? null;
  } catch (err) {
    if (err instanceof TargetNotAllowed) throw err;
    if (err instanceof TargetUnresolvable) return null;
    const e = err as NodeJS.ErrnoException;
    undetermined.push({ name: host, type: 'A/AAAA', code: e.code ?? 'EUNKNOWN' });
    return null;
  }
}

/** A report's own "could not determine" items, as the check report lists them. */
export function tlsUndetermined(r: TlsHostReport): Undetermined {
  const name = `${r.host}:${r.port}`;
  // Refused is an answer (nothing listens); a connection that never happened is not.
  if (!r.reachable) {
    return r.connectError?.code === 'ECONNREFUSED'
      ? []
      : [{ name, type: 'TLS', code: r.connectError?.code ?? 'ETIMEDOUT' }];
  }
  return r.undetermined.map((what) => ({ name, type: 'TLS', code: `ETIMEDOUT ${what}` }));
}

/**
 * TLS of a domain's web endpoint (sslyze's checks): protocols, suites, key exchange, extensions
 * and certificate of `<domain>:443` (or `www.<domain>` when the domain itself has no address).
 */
export async function scanTls(domain: string, ctx: CheckContext): Promise<CheckReport<TlsData>> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const undetermined: Undetermined = [];
  const data: TlsData = { hosts: [] };
  const findings: CheckReport['findings'] = [];
  const opts = { ...TLS_DEFAULTS, ...ctx.tls };
  let host = name;
  let address = await allowedAddress(host, ctx, undetermined);
  if (address === null && undetermined.length === 0) {
    host = `www.${name}`;
    address = await allowedAddress(host, ctx, undetermined);
  }
  if (address !== null) {
    const report = await evaluateTlsEndpoint(
      {
        host,
        address,
        port: opts.port,
        sni: isIP(host) ? undefined : host,
        connect: tcpConnector(address, opts.port),
      },
      { ...opts, extraCaPems: ctx.https?.extraCaPems },
    );
    data.hosts.push(report);
    findings.push(...tlsEndpointFindings(report));
    undetermined.push(...tlsUndetermined(report));
  }
  return checkReport({ check: 'tls', domain: name, findings, data, undetermined });
}
