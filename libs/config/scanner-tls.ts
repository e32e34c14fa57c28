import type { TlsScanOptions } from '../../activities/tls/tls-evaluation';
import type { PerimeterConfig } from './config';

/** The TLS and SMTP STARTTLS scanners' settings from the configuration. */
export function scannerTlsOptions(config: PerimeterConfig): TlsScanOptions {
  const t = config.scanners.tls;
  return {
    ...(t.port ? { port: t.port } : {}),
    smtpPort: t.smtpPort,
    timeoutMs: t.timeoutMs,
    concurrency: t.concurrency,
    profile: t.profile,
  };
}
