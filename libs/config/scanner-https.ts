import { readFileSync } from 'node:fs';
import { ConfigError, type PerimeterConfig } from './config';

/** The scanners' HTTPS settings, with the extra CA files read once at start-up. */
export function scannerHttpsOptions(config: PerimeterConfig): {
  port?: number;
  extraCaPems?: string[];
  httpPort?: number;
  webTimeoutMs?: number;
} {
  const extraCaPems = config.scanners.extraCaFiles.map((file) => {
    try {
      const pem = readFileSync(file, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      return pem;
    } catch (err) {
      throw new ConfigError(
        `SCANNER_EXTRA_CA_FILES: cannot use ${file}: ${(err as Error).message}`,
      );
    }
  });
  return {
    ...(config.scanners.httpsPort ? { port: config.scanners.httpsPort } : {}),
    ...(extraCaPems.length ? { extraCaPems } : {}),
    ...(config.scanners.httpPort ? { httpPort: config.scanners.httpPort } : {}),
    webTimeoutMs: config.scanners.webTimeoutMs,
  };
}
