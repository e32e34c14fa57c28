import { z } from 'zod';
import type { S3ConnectionConfig } from '../s3/s3-client';

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

const commaList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** `PROOF_TSAS`: several TSAs, tried in order, each with its own trust roots. */
const tsaList = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(
        z.object({
          name: z.string().min(1),
          url: z.string().url(),
          caFiles: z.array(z.string().min(1)).min(1, 'each TSA needs its trust roots'),
        }),
      )
      .min(1),
  );
/** `host:port`, `[v6]:port`, or an absolute Unix socket path. */
const CLAMD_ADDRESS_PATTERN = /^(\/.+|(\[[^\]]+\]|[^:/]+):\d{1,5})$/;

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  WORKER_TASK_QUEUES: z
    .string()
    .default('perimeter-domain-scans,perimeter-surface,perimeter-dmarc-reports'),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(30_000),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  API_INVENTORY_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  SCANNER_RESOLVERS: resolverList.optional(),
  SCANNER_DNS_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  SCANNER_DNS_TRIES: z.coerce.number().int().min(1).max(5).default(2),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  SCANNER_EXTRA_PUBLIC_SUFFIXES: z.string().default(''),
  SCANNER_EXTRA_CA_FILES: z.string().default(''),
  SCANNER_HTTPS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SCANNER_HTTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SCANNER_WEB_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(5000),
  SCANNER_TLS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SCANNER_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(25),
  SCANNER_TLS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  SCANNER_TLS_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(5),
  SCANNER_TLS_PROFILE: z.enum(['modern', 'intermediate', 'old']).default('intermediate'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AUTH_LOCAL_SIGNIN: bool.default(false),
  AUTH_LOCAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  AUTH_OIDC_ISSUER: z.string().url().optional(),
  AUTH_OIDC_AUDIENCE: z.string().min(1).optional(),
  AUTH_OIDC_JWKS_URL: z.string().url().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_NOT_FOUND_PER_MINUTE: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(10),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).default(5000),
  GRAPHQL_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  PROOF_TSA_NAME: z.string().min(1).default('freetsa'),
  PROOF_TSA_URL: z.string().url().default('https://freetsa.org/tsr'),
  PROOF_TSA_CA_FILES: z.string().default(''),
  PROOF_TSAS: tsaList.optional(),
  PROOF_TSA_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  PROBE_PRESENCE_SECONDS: z.coerce.number().int().positive().default(300),
  ORGANISATION_SCAN_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  AUDIT_MIN_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  CLAMD_ADDRESS: z
    .string()
    .regex(CLAMD_ADDRESS_PATTERN, 'expected host:port or /path/to/clamd.sock')
    .default('127.0.0.1:3310'),
  CLAMD_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  BUCKET_SCAN_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  BUCKET_SCAN_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  BUCKET_SWEEP_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  BUCKET_NOTIFICATION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DMARC_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  DMARC_MAX_DECOMPRESSED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  DMARC_MAX_ZIP_ENTRIES: z.coerce.number().int().positive().default(32),
  DMARC_SENDER_CATALOGUE: z.string().optional(),
  DMARC_IP_DATABASE: z.string().optional(),
  DMARC_RDNS_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  DMARC_IMAP_URL: z.string().url().optional(),
  DMARC_IMAP_ORGANISATION: z.string().optional(),
  DMARC_IMAP_MAILBOX: z.string().default('INBOX'),
  DMARC_IMAP_PROCESSED_FOLDER: z.string().default('Processed'),
  DMARC_IMAP_FAILED_FOLDER: z.string().default('Failed'),
  DMARC_IMAP_POLL_SECONDS: z.coerce.number().int().min(10).default(300),
  DMARC_IMAP_ALLOW_INSECURE: bool.default(false),
  DMARC_BUCKET_NAME: z.string().min(3).max(63).optional(),
  DMARC_BUCKET_PREFIX: z.string().max(1024).default('dmarc/'),
  DMARC_BUCKET_ORGANISATION: z.string().optional(),
  DMARC_BUCKET_POLL_SECONDS: z.coerce.number().int().min(10).default(900),
});

export interface PerimeterConfig {
  databaseUrl: string | undefined;
  temporal: { address: string; namespace: string };
  worker: { taskQueues: string[]; shutdownGraceMs: number };
  api: { host: string; port: number; inventoryMaxBytes: number };
  scanners: {
    /** DNS servers the scanners ask, as `host:port`; empty means the machine's own nameservers. */
    resolvers: string[];
    dnsTimeoutMs: number;
    dnsTries: number;
    allowPrivateTargets: boolean;
    /** Treated as public suffixes besides the Public Suffix List (the lab: `perimeter.test`). */
    extraPublicSuffixes: string[];
    /** PEM files trusted besides the system roots when scanners fetch over HTTPS (the lab CA). */
    extraCaFiles: string[];
    /** Connect here instead of 443 (lab and tests only). */
    httpsPort: number | undefined;
    /** Connect here instead of 80 for plain HTTP (lab and tests only). */
    httpPort: number | undefined;
    /** Each request of the web scanner; a timeout is "could not determine", not a finding. */
    webTimeoutMs: number;
    /** TLS and SMTP STARTTLS scans: ports (TLS port override for the lab only), limits, profile. */
    tls: {
      port: number | undefined;
      smtpPort: number;
      timeoutMs: number;
      concurrency: number;
      profile: 'modern' | 'intermediate' | 'old';
    };
  };
  telemetry: { otlpEndpoint: string | undefined; serviceName: string | undefined };
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  auth: {
    /** Email + password sign-in issuing Perimeter's own tokens (the embedded stack). */
    localSignIn: { secret: string; ttlSeconds: number } | undefined;
    oidc: { issuer: string; audience: string; jwksUrl: string | undefined } | undefined;
  };
  rateLimits: { perMinute: number; notFoundPerMinute: number; authFailuresPerMinute: number };
  /** Bounds on what one GraphQL operation may ask for; pages may be capped per organisation. */
  graphql: { maxDepth: number; maxComplexity: number; maxPageSize: number };
  /** Base URL of the Temporal Web UI, for links to a scan's workflow. */
  temporalUiUrl: string;
  proof: {
    /**
     * TSAs tried in order (FreeTSA by default). A TSA without CA files is not trusted: results
     * are time-stamped only once one TSA has roots.
     */
    tsas: Array<{ name: string; url: string; caFiles: string[] }>;
    timeoutMs: number;
  };
  /** A probe counts as present this long after its last heartbeat. */
  probes: { presenceSeconds: number };
  /** Child domain scans an organisation scan runs at once (a request may ask for fewer or more). */
  organisationScanConcurrency: number;
  /** The shortest interval a recurring audit may have: a guard against scanning in a loop. */
  auditMinIntervalSeconds: number;
  s3: S3ConnectionConfig;
  buckets: {
    /** `host:port` or the path of clamd's Unix socket. */
    clamdAddress: string;
    clamdTimeoutMs: number;
    /** Default largest object scanned (bytes) for new buckets; larger ones are SKIPPED. */
    maxObjectBytes: number;
    scanAttempts: number;
    sweepConcurrency: number;
    /** Senders of bucket notifications prove they know it; unset refuses every notification. */
    notificationSecret: string | undefined;
  };
  dmarc: {
    uploadMaxBytes: number;
    maxDecompressedBytes: number;
    maxZipEntries: number;
    /** JSON file replacing the built-in catalogue of known senders. */
    senderCatalogue: string | undefined;
    /** CSV `cidr,country,asn,as_name` giving country and ASN of source addresses. */
    ipDatabase: string | undefined;
    rdnsTtlSeconds: number;
    /** `imap[s]://user:password@host:port`; the mailbox polled for reports when set. */
    imap:
      | {
          url: string;
          /** Slug of the organisation the mailbox's reports belong to. */
          organisation: string;
          mailbox: string;
          processedFolder: string;
          failedFolder: string;
          pollSeconds: number;
          /** Accept a self-signed certificate (tests, a local server). */
          allowInsecure: boolean;
        }
      | undefined;
    /** The bucket prefix where reports land (S3_* settings), swept on a schedule when set. */
    bucket:
      { bucket: string; prefix: string; organisation: string; pollSeconds: number } | undefined;
  };
}

/** Reads and validates the environment once, at start-up; every problem is listed in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PerimeterConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.AUTH_LOCAL_SIGNIN && !e.AUTH_LOCAL_JWT_SECRET) {
    problems.push('  AUTH_LOCAL_JWT_SECRET: required when AUTH_LOCAL_SIGNIN is true');
  }
  if (Boolean(e.AUTH_OIDC_ISSUER) !== Boolean(e.AUTH_OIDC_AUDIENCE)) {
    problems.push('  AUTH_OIDC_ISSUER and AUTH_OIDC_AUDIENCE: set both or neither');
  }
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    problems.push('  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (e.DMARC_IMAP_URL && !e.DMARC_IMAP_ORGANISATION) {
    problems.push('  DMARC_IMAP_ORGANISATION: required when DMARC_IMAP_URL is set');
  }
  if (e.DMARC_BUCKET_NAME && !e.DMARC_BUCKET_ORGANISATION) {
    problems.push('  DMARC_BUCKET_ORGANISATION: required when DMARC_BUCKET_NAME is set');
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return {
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE },
    worker: {
      taskQueues: e.WORKER_TASK_QUEUES.split(',')
        .map((q) => q.trim())
        .filter(Boolean),
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    },
    api: { host: e.API_HOST, port: e.API_PORT, inventoryMaxBytes: e.API_INVENTORY_MAX_BYTES },
    scanners: {
      resolvers: e.SCANNER_RESOLVERS ?? [],
      dnsTimeoutMs: e.SCANNER_DNS_TIMEOUT_MS,
      dnsTries: e.SCANNER_DNS_TRIES,
      allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
      extraPublicSuffixes: e.SCANNER_EXTRA_PUBLIC_SUFFIXES.split(',')
        .map((x) => x.trim().toLowerCase().replace(/\.$/, ''))
        .filter(Boolean),
      extraCaFiles: e.SCANNER_EXTRA_CA_FILES.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      httpsPort: e.SCANNER_HTTPS_PORT,
      httpPort: e.SCANNER_HTTP_PORT,
      webTimeoutMs: e.SCANNER_WEB_TIMEOUT_MS,
      tls: {
        port: e.SCANNER_TLS_PORT,
        smtpPort: e.SCANNER_SMTP_PORT,
        timeoutMs: e.SCANNER_TLS_TIMEOUT_MS,
        concurrency: e.SCANNER_TLS_CONCURRENCY,
        profile: e.SCANNER_TLS_PROFILE,
      },
    },
    telemetry: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    logLevel: e.LOG_LEVEL,
    auth: {
      localSignIn:
        e.AUTH_LOCAL_SIGNIN && e.AUTH_LOCAL_JWT_SECRET
          ? { secret: e.AUTH_LOCAL_JWT_SECRET, ttlSeconds: e.AUTH_TOKEN_TTL_SECONDS }
          : undefined,
      oidc:
        e.AUTH_OIDC_ISSUER && e.AUTH_OIDC_AUDIENCE
          ? {
              issuer: e.AUTH_OIDC_ISSUER,
              audience: e.AUTH_OIDC_AUDIENCE,
              jwksUrl: e.AUTH_OIDC_JWKS_URL,
            }
          : undefined,
    },
    rateLimits: {
      perMinute: e.RATE_LIMIT_PER_MINUTE,
      notFoundPerMinute: e.RATE_LIMIT_NOT_FOUND_PER_MINUTE,
      authFailuresPerMinute: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      maxPageSize: e.GRAPHQL_MAX_PAGE_SIZE,
    },
    temporalUiUrl: e.TEMPORAL_UI_URL.replace(/\/+$/, ''),
    proof: {
      tsas: e.PROOF_TSAS ?? [
        { name: e.PROOF_TSA_NAME, url: e.PROOF_TSA_URL, caFiles: commaList(e.PROOF_TSA_CA_FILES) },
      ],
      timeoutMs: e.PROOF_TSA_TIMEOUT_MS,
    },
    probes: { presenceSeconds: e.PROBE_PRESENCE_SECONDS },
    organisationScanConcurrency: e.ORGANISATION_SCAN_CONCURRENCY,
    auditMinIntervalSeconds: e.AUDIT_MIN_INTERVAL_SECONDS,
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    },
    buckets: {
      clamdAddress: e.CLAMD_ADDRESS,
      clamdTimeoutMs: e.CLAMD_TIMEOUT_MS,
      maxObjectBytes: e.BUCKET_SCAN_MAX_BYTES,
      scanAttempts: e.BUCKET_SCAN_ATTEMPTS,
      sweepConcurrency: e.BUCKET_SWEEP_CONCURRENCY,
      notificationSecret: e.BUCKET_NOTIFICATION_SECRET,
    },
    dmarc: {
      uploadMaxBytes: e.DMARC_UPLOAD_MAX_BYTES,
      maxDecompressedBytes: e.DMARC_MAX_DECOMPRESSED_BYTES,
      maxZipEntries: e.DMARC_MAX_ZIP_ENTRIES,
      senderCatalogue: e.DMARC_SENDER_CATALOGUE,
      ipDatabase: e.DMARC_IP_DATABASE,
      rdnsTtlSeconds: e.DMARC_RDNS_TTL_SECONDS,
      imap:
        e.DMARC_IMAP_URL && e.DMARC_IMAP_ORGANISATION
          ? {
              url: e.DMARC_IMAP_URL,
              organisation: e.DMARC_IMAP_ORGANISATION,
              mailbox: e.DMARC_IMAP_MAILBOX,
              processedFolder: e.DMARC_IMAP_PROCESSED_FOLDER,
              failedFolder: e.DMARC_IMAP_FAILED_FOLDER,
              pollSeconds: e.DMARC_IMAP_POLL_SECONDS,
              allowInsecure: e.DMARC_IMAP_ALLOW_INSECURE,
            }
          : undefined,
      bucket:
        e.DMARC_BUCKET_NAME && e.DMARC_BUCKET_ORGANISATION
          ? {
              bucket: e.DMARC_BUCKET_NAME,
              prefix: e.DMARC_BUCKET_PREFIX,
              organisation: e.DMARC_BUCKET_ORGANISATION,
              pollSeconds: e.DMARC_BUCKET_POLL_SECONDS,
            }
          : undefined,
    },
  };
}
