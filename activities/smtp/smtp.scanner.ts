import { TargetNotAllowed } from '../../libs/net/errors';
import { type CheckReport, type Finding, checkReport } from '../common/check-report';
import type { CheckContext } from '../common/dns-lookup';
import { scanMx } from '../mx/mx.scanner';
import { ConnectFailed } from '../tls/probe';
import { limiter } from '../tls/tls-prober';
import {
  evaluateTlsEndpoint,
  TLS_DEFAULTS,
  tlsEndpointFindings,
  type TlsHostReport,
} from '../tls/tls-evaluation';
import { allowedAddress, tlsUndetermined } from '../tls/tls.scanner';
import { smtpSession, starttlsConnector, type SmtpGreeting } from './smtp-session';
import { smtpTlsId } from './smtp.findings';

export interface SmtpHostReport {
  host: string;
  priority: number;
  address: string | null;
  port: number;
  banner?: string;
  /** EHLO keywords offered. */
  extensions?: string[];
  /** null: could not be determined. */
  starttls: boolean | null;
  /** What went wrong talking SMTP, when anything did. */
  error?: { code: string; message: string };
  /** The TLS evaluation over STARTTLS. */
  tls: TlsHostReport | null;
}

export interface SmtpData {
  hosts: SmtpHostReport[];
  /** MX hosts beyond MAX_MX_HOSTS (by preference), not scanned. */
  skipped: string[];
}

/** A domain's MX hosts scanned at most: a hostile MX set must not keep a worker busy for hours. */
export const MAX_MX_HOSTS = 10;

type Undetermined = CheckReport['undetermined'];

/**
 * SMTP STARTTLS on every MX host (MailCheck's checks): banner, EHLO, STARTTLS offered, then the
 * same TLS and certificate evaluation as the web TLS scan, over the upgraded connection.
 */
export async function scanSmtp(domain: string, ctx: CheckContext): Promise<CheckReport<SmtpData>> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const opts = { ...TLS_DEFAULTS, ...ctx.tls };
  const mx = await scanMx(name, ctx);
  const undetermined: Undetermined = [...mx.undetermined];
  const findings: Finding[] = [];
  const data: SmtpData = { hosts: [], skipped: [] };
  const report = () => checkReport({ check: 'smtp', domain: name, findings, data, undetermined });
  if (mx.status === 'unknown' && mx.data.hosts.length === 0) return report();
  const usable = mx.data.hosts.filter((h) => !h.ipLiteral && h.status === 'resolves');
  const hosts = usable.slice(0, MAX_MX_HOSTS);
  data.skipped = usable.slice(MAX_MX_HOSTS).map((h) => h.exchange);
  if (data.skipped.length) {
    findings.push({
      id: 'smtp-tls.mx-hosts-capped',
      severity: 'info',
      message: `${name} has ${usable.length} MX hosts; the ${MAX_MX_HOSTS} most preferred were checked, not ${data.skipped.join(', ')}.`,
      evidence: { checked: MAX_MX_HOSTS, skipped: data.skipped },
    });
  }
  if (hosts.length === 0) {
    findings.push({
      id: 'smtp-tls.no-mx',
      severity: 'info',
      message: mx.data.nullMx
        ? `${name} publishes a null MX: no mail host to check.`
        : `${name} names no resolvable mail host: no STARTTLS to check.`,
      evidence: { records: mx.data.records },
    });
    return report();
  }

  const run = limiter(opts.hostConcurrency);
  data.hosts = await Promise.all(
    hosts.map((h) =>
      run(() => scanSmtpHost(h.exchange, h.priority, ctx, opts, undetermined, findings)),
    ),
  );
  const ok = data.hosts.filter((h) => h.starttls === true && h.tls?.handshake.completed);
  // "Everywhere" only when every MX host was checked.
  if (ok.length === data.hosts.length && data.skipped.length === 0) {
    findings.unshift({
      id: 'smtp-tls.starttls-everywhere',
      severity: 'pass',
      message: `All ${ok.length} MX host(s) of ${name} offer STARTTLS and complete a TLS handshake (${ok.map((h) => `${h.host}: ${h.tls?.handshake.protocol}`).join(', ')}).`,
      evidence: { hosts: ok.map((h) => h.host) },
    });
  }
  return report();
}

/**
 * One SMTP server: banner, EHLO, STARTTLS, then the TLS evaluation over STARTTLS. Findings and
 * what could not be determined are appended to the arrays given (also used by `perimeter scan tls`).
 */
export async function scanSmtpHost(
  host: string,
  priority: number,
  ctx: CheckContext,
  opts: typeof TLS_DEFAULTS,
  undetermined: Undetermined,
  findings: Finding[],
): Promise<SmtpHostReport> {
  const port = opts.smtpPort;
  const r: SmtpHostReport = { host, priority, address: null, port, starttls: null, tls: null };
  const where = `${host}:${port}`;
  try {
    r.address = await allowedAddress(host, ctx, undetermined);
  } catch (err) {
    if (!(err instanceof TargetNotAllowed)) throw err;
    r.error = { code: 'TargetNotAllowed', message: err.message };
    return r;
  }
  if (r.address === null) return r;
  let greeting: SmtpGreeting;
  try {
    const session = await smtpSession(r.address, port, {
      ehloName: opts.ehloName,
      timeoutMs: opts.timeoutMs,
      starttls: false,
    });
    session.socket.end('QUIT\r\n');
    greeting = session.greeting;
  } catch (err) {
    const code = err instanceof ConnectFailed ? err.code : 'ESMTP';
    r.error = { code, message: (err as Error).message };
    if (code === 'ECONNREFUSED') {
      findings.push({
        id: 'smtp-tls.no-service',
        severity: 'warning',
        message: `${where} refuses connections.`,
        evidence: { host, port },
      });
    } else if (code === 'ESMTP') {
      findings.push({
        id: 'smtp-tls.smtp-error',
        severity: 'warning',
        message: `${where}: ${(err as Error).message}.`,
        evidence: { host, port },
      });
    } else {
      undetermined.push({ name: where, type: 'SMTP', code });
    }
    return r;
  }
  r.banner = greeting.banner.lines.join(' ');
  r.extensions = greeting.extensions;
  r.starttls = greeting.starttls;
  if (!greeting.starttls) {
    findings.push({
      id: 'smtp-tls.starttls-missing',
      severity: 'fail',
      message: `${where} does not offer STARTTLS (EHLO keywords: ${greeting.extensions.join(', ') || 'none'}).`,
      evidence: { host, port, extensions: greeting.extensions },
    });
    return r;
  }
  r.tls = await evaluateTlsEndpoint(
    {
      host,
      address: r.address,
      port,
      sni: host,
      connect: starttlsConnector(r.address, port, opts.ehloName),
    },
    { ...opts, extraCaPems: ctx.https?.extraCaPems },
  );
  const tlsUnknown = tlsUndetermined(r.tls);
  if (!r.tls.handshake.completed && tlsUnknown.length === 0) {
    findings.push({
      id: 'smtp-tls.starttls-failed',
      severity: 'fail',
      message: `${where} offers STARTTLS but the TLS handshake fails (${r.tls.handshake.error?.message ?? 'no TLS version accepted'}).`,
      evidence: { host, port, error: r.tls.handshake.error },
    });
  }
  undetermined.push(...tlsUnknown);
  for (const f of tlsEndpointFindings(r.tls)) {
    if (f.id === 'tls.no-tls' || f.id === 'tls.no-service') continue; // said by starttls-failed
    findings.push({ ...f, id: smtpTlsId(f.id), message: `STARTTLS: ${f.message}` });
  }
  return r;
}
