import { z } from 'zod';

/** Thrown when the environment does not describe a runnable configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** `host:port` (IPv4, hostname) or `[v6]:port`; the port defaults to 53. */
const resolverList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
          'expected host or host:port',
        ),
    ),
  );

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  WORKER_TASK_QUEUES: z.string().default('perimeter-domain-scans'),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(30_000),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  SCANNER_RESOLVERS: resolverList.optional(),
  SCANNER_DNS_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  SCANNER_DNS_TRIES: z.coerce.number().int().min(1).max(5).default(2),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface PerimeterConfig {
  databaseUrl: string | undefined;
  temporal: { address: string; namespace: string };
  worker: { taskQueues: string[]; shutdownGraceMs: number };
  api: { host: string; port: number };
  scanners: {
    /** DNS servers the scanners ask, as `host:port`; empty means the machine's own nameservers. */
    resolvers: string[];
    dnsTimeoutMs: number;
    dnsTries: number;
    allowPrivateTargets: boolean;
  };
  telemetry: { otlpEndpoint: string | undefined; serviceName: string | undefined };
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

/** Reads and validates the environment once, at start-up; every problem is listed in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PerimeterConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE },
    worker: {
      taskQueues: e.WORKER_TASK_QUEUES.split(',')
        .map((q) => q.trim())
        .filter(Boolean),
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    },
    api: { host: e.API_HOST, port: e.API_PORT },
    scanners: {
      resolvers: e.SCANNER_RESOLVERS ?? [],
      dnsTimeoutMs: e.SCANNER_DNS_TIMEOUT_MS,
      dnsTries: e.SCANNER_DNS_TRIES,
      allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    },
    telemetry: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    logLevel: e.LOG_LEVEL,
  };
}
