import { isIP } from 'node:net';
import type { Finding } from '../../../activities/common/check-report';
import type { CheckContext } from '../../../activities/common/dns-lookup';
import { scanSmtpHost, type SmtpHostReport } from '../../../activities/smtp/smtp.scanner';
import { tcpConnector } from '../../../activities/tls/probe';
import {
  evaluateTlsEndpoint,
  TLS_DEFAULTS,
  tlsEndpointFindings,
  type TlsHostReport,
} from '../../../activities/tls/tls-evaluation';
import { allowedAddress, tlsUndetermined } from '../../../activities/tls/tls.scanner';
import { loadConfig } from '../../../libs/config/config';
import { scannerHttpsOptions } from '../../../libs/config/scanner-https';
import { scannerTlsOptions } from '../../../libs/config/scanner-tls';
import { InvalidDomainName, validateDomainName } from '../../../libs/domain-name';
import { TargetNotAllowed } from '../../../libs/net/errors';
import { createScannerResolver } from '../../../libs/net/scanner-resolver';

export interface ScanTlsOptions {
  starttls?: string;
  sni?: string;
  format?: 'json' | 'table';
  dnsServer?: string;
  allowPrivate?: boolean;
}

export interface TlsCommandReport {
  target: string;
  port: number;
  starttls: 'smtp' | null;
  status: 'completed' | 'unknown';
  findings: Finding[];
  undetermined: Array<{ name: string; type: string; code: string }>;
  smtp?: Omit<SmtpHostReport, 'tls'>;
  tls: TlsHostReport | null;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
export function parseTarget(input: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(input);
  if (bracketed)
    return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  if (isIP(input) === 6) return { host: input };
  const m = /^([^:]+)(?::(\d+))?$/.exec(input);
  if (!m) throw new RangeError(`not host[:port]: ${input}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : undefined };
}

const MARK: Record<string, string> = { pass: 'PASS', info: 'INFO', warning: 'WARN', fail: 'FAIL' };

function table(r: TlsCommandReport): string {
  const lines = [`${r.target}:${r.port}${r.starttls ? ' (STARTTLS smtp)' : ''}`];
  if (r.smtp?.banner) lines.push(`  banner    ${r.smtp.banner}`);
  const t = r.tls;
  if (t) {
    const protocols = Object.entries(t.protocols)
      .map(([v, s]) => `${v}:${s === 'accepted' ? 'yes' : s === 'refused' ? 'no' : '?'}`)
      .join(' ');
    lines.push(`  protocols ${protocols}`);
    for (const [v, c] of Object.entries(t.ciphers)) {
      const order =
        c.serverPreference === null
          ? ''
          : c.serverPreference
            ? ' (server order)'
            : ' (client order)';
      lines.push(`  ${v.padEnd(9)} ${c.suites.join(', ')}${order}`);
    }
    if (t.groups.length) lines.push(`  groups    ${t.groups.join(', ')}`);
    const leaf = t.certificate?.certificates[0];
    if (leaf) {
      lines.push(`  cert      ${leaf.subject}; issuer ${leaf.issuer}; until ${leaf.notAfter}`);
      lines.push(
        `            ${leaf.keyType} ${leaf.keyBits ?? '?'} bits, ${leaf.signatureAlgorithm}`,
      );
    }
    for (const p of t.profiles) {
      lines.push(
        `  mozilla ${p.profile.padEnd(12)} ${p.compliant ? 'compliant' : p.deviations.join('; ')}`,
      );
    }
  }
  lines.push('');
  for (const f of r.findings) lines.push(`  ${MARK[f.severity]}  ${f.id.padEnd(36)} ${f.message}`);
  if (r.undetermined.length) {
    lines.push(
      '',
      `  could not determine: ${r.undetermined.map((u) => `${u.name} ${u.code}`).join('; ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * `perimeter scan tls <host[:port]> [--starttls smtp] [--sni name] [--format json|table]`: the
 * TLS evaluation of one endpoint, in-process. Exit 0 when scanned (whatever the findings), 2 for
 * usage errors, 1 when nothing could be determined (or the target is not allowed).
 */
export async function scanTlsCommand(
  input: string,
  opts: ScanTlsOptions = {},
  out = console.log,
): Promise<number> {
  const config = loadConfig();
  if (opts.starttls !== undefined && opts.starttls !== 'smtp') {
    out(`--starttls supports only smtp, not ${opts.starttls}`);
    return 2;
  }
  let host: string;
  let port: number | undefined;
  let sni: string | undefined;
  try {
    ({ host, port } = parseTarget(input.trim()));
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new RangeError(`port out of range: ${port}`);
    }
    if (isIP(host) === 0) host = validateDomainName(host).ascii;
    sni =
      opts.sni !== undefined ? validateDomainName(opts.sni).ascii : isIP(host) ? undefined : host;
  } catch (err) {
    if (err instanceof InvalidDomainName) {
      out(`invalid host name (${err.reason}): ${err.message}`);
      return 2;
    }
    if (err instanceof RangeError) {
      out(err.message);
      return 2;
    }
    throw err;
  }
  const tlsOptions = { ...TLS_DEFAULTS, ...scannerTlsOptions(config) };
  const ctx: CheckContext = {
    resolver: createScannerResolver({
      servers: opts.dnsServer ? opts.dnsServer.split(',') : config.scanners.resolvers,
      timeoutMs: config.scanners.dnsTimeoutMs,
      tries: config.scanners.dnsTries,
    }),
    allowPrivateTargets: opts.allowPrivate ?? config.scanners.allowPrivateTargets,
    extraPublicSuffixes: config.scanners.extraPublicSuffixes,
    https: scannerHttpsOptions(config),
    tls: tlsOptions,
  };
  const starttls = opts.starttls === 'smtp';
  const findings: Finding[] = [];
  const undetermined: TlsCommandReport['undetermined'] = [];
  let report: TlsCommandReport;
  try {
    if (starttls) {
      const smtpPort = port ?? tlsOptions.smtpPort;
      const { tls, ...smtp } = await scanSmtpHost(
        host,
        0,
        ctx,
        { ...tlsOptions, smtpPort },
        undetermined,
        findings,
      );
      if (smtp.error?.code === 'TargetNotAllowed') {
        out(`target not allowed: ${smtp.error.message}`);
        return 1;
      }
      report = {
        target: host,
        port: smtpPort,
        starttls: 'smtp',
        status: 'completed',
        findings,
        undetermined,
        smtp,
        tls,
      };
    } else {
      const tlsPort = port ?? tlsOptions.port;
      const address = await allowedAddress(host, ctx, undetermined);
      let tls: TlsHostReport | null = null;
      if (address !== null) {
        tls = await evaluateTlsEndpoint(
          { host, address, port: tlsPort, sni, connect: tcpConnector(address, tlsPort) },
          { ...tlsOptions, extraCaPems: ctx.https?.extraCaPems },
        );
        findings.push(...tlsEndpointFindings(tls));
        undetermined.push(...tlsUndetermined(tls));
      } else if (undetermined.length === 0) {
        out(`${host} has no address`);
        return 1;
      }
      report = {
        target: host,
        port: tlsPort,
        starttls: null,
        status: 'completed',
        findings,
        undetermined,
        tls,
      };
    }
  } catch (err) {
    if (err instanceof TargetNotAllowed) {
      out(`target not allowed: ${err.message}`);
      return 1;
    }
    throw err;
  }
  report.status = undetermined.length ? 'unknown' : 'completed';
  out(opts.format === 'table' ? table(report) : JSON.stringify(report, null, 2));
  const reached = report.tls?.reachable || report.smtp?.banner !== undefined;
  return report.status === 'unknown' && !reached ? 1 : 0;
}
