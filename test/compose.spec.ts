/**
 * Reviews docker-compose.yml, the Dockerfile and infra/ without a Docker engine: parses them and
 * checks that they agree with each other and with the source tree, the way a reviewer would.
 * Compose variables (`${VAR:-default}`) are resolved to their defaults, never to this machine's
 * environment, so the committed defaults are what is checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../libs/config/config';

const root = path.resolve(__dirname, '..');
const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');
const parseYaml = (rel: string): unknown => parse(read(rel), { merge: true });

// ---------------------------------------------------------------------------------------------
// Compose model

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface DependsOn {
  condition?: string;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, DependsOn>;
  ports?: (string | number | { target?: number; published?: string | number; protocol?: string })[];
  expose?: (string | number)[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: Healthcheck;
  restart?: string;
  stop_grace_period?: string;
}
interface Compose {
  version?: unknown;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Compose interpolation with defaults only: `$$` → `$`, `${A:-x}`/`${A-x}` → x, `${A}` → ''. */
function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, _braced?: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      if (op === ':-' || op === '-') return arg ?? '';
      return '';
    },
  );
}
function interpolateDeep<T>(value: T): T {
  if (typeof value === 'string') return interpolate(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v)])) as T;
  }
  return value;
}

const rawCompose = parseYaml('docker-compose.yml') as Compose;
const compose = interpolateDeep(rawCompose);
const services = compose.services;
const serviceNames = Object.keys(services);

/** The services built from this repository (API, worker, migration job). */
const appServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

function environmentOf(service: Service): Record<string, unknown> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const i = entry.indexOf('=');
      return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
    }),
  );
}
/** As the container sees it: strings (numbers stringified, unset entries dropped). */
function stringEnv(service: Service): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environmentOf(service))
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}
function dependenciesOf(service: Service): Record<string, string> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([name, d]) => [name, d?.condition ?? 'service_started']),
  );
}
function commandOf(service: Service): string[] {
  const c = service.command;
  if (c === undefined) return [];
  return Array.isArray(c) ? c.map(String) : c.split(/\s+/).filter(Boolean);
}
function hasHealthcheck(service: Service): boolean {
  return service.healthcheck !== undefined && service.healthcheck.disable !== true;
}
function healthcheckText(service: Service): string {
  const t = service.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : (t ?? '');
}

/** Container-side ports a service declares (`ports` targets and `expose`). */
function declaredPorts(service: Service): Set<number> {
  const out = new Set<number>();
  for (const p of service.ports ?? []) {
    if (typeof p === 'object') {
      if (p.target !== undefined) out.add(Number(p.target));
    } else {
      const spec = String(p).split('/')[0];
      out.add(Number(spec.split(':').at(-1)));
    }
  }
  for (const e of service.expose ?? []) out.add(Number(String(e).split('/')[0]));
  return out;
}
/** Published host ports as `port/protocol`, with where each comes from. */
function publishedPorts(): { key: string; service: string }[] {
  const out: { key: string; service: string }[] = [];
  for (const [name, s] of Object.entries(services)) {
    for (const p of s.ports ?? []) {
      if (typeof p === 'object') {
        if (p.published !== undefined) {
          out.push({ key: `${p.published}/${p.protocol ?? 'tcp'}`, service: name });
        }
        continue;
      }
      const [spec, proto = 'tcp'] = String(p).split('/');
      const parts = spec.split(':');
      // [ip:]host:container; a bare container port publishes to a random host port.
      if (parts.length >= 2) out.push({ key: `${parts.at(-2)}/${proto}`, service: name });
    }
  }
  return out;
}

function hostPort(value: string): { host: string; port: number } {
  const url = value.includes('://') ? new URL(value) : new URL(`tcp://${value}`);
  const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : (defaultPorts[url.protocol] ?? NaN),
  };
}

/** Compose durations: `45s`, `1m30s`, `1500ms`, `1h`. */
function durationMs(value: string | undefined): number {
  if (value === undefined) return 10_000; // Compose's default stop_grace_period
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = String(value).trim();
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`not a Compose duration: ${value}`);
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Other files

/** Names of the keys of every `z.object({ ... })` in a source file (depth-0 keys only). */
function zodObjectKeys(source: string): Set<string> {
  const keys = new Set<string>();
  for (
    let start = source.indexOf('z.object({');
    start >= 0;
    start = source.indexOf('z.object({', start + 1)
  ) {
    let i = start + 'z.object({'.length;
    let depth = 0;
    let flat = '';
    for (; i < source.length; i += 1) {
      const ch = source[i];
      if (ch === "'" || ch === '"' || ch === '`') {
        const end = source.indexOf(ch, i + 1);
        flat += ' ';
        i = end < 0 ? source.length : end;
        continue;
      }
      if ('([{'.includes(ch)) depth += 1;
      if (')]}'.includes(ch)) {
        if (depth === 0) break;
        depth -= 1;
        continue;
      }
      flat += depth === 0 ? ch : ' ';
    }
    for (const m of flat.matchAll(/(?:^|[,\n])\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/g)) keys.add(m[1]);
  }
  return keys;
}

interface CollectorConfig {
  extensions?: Record<string, unknown>;
  receivers?: Record<string, { protocols?: Record<string, { endpoint?: string } | null> } | null>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, { endpoint?: string } | null>;
  connectors?: Record<string, unknown>;
  service?: {
    extensions?: string[];
    telemetry?: {
      metrics?: {
        readers?: { pull?: { exporter?: { prometheus?: { host?: string; port?: number } } } }[];
      };
    };
    pipelines?: Record<
      string,
      { receivers?: string[]; processors?: string[]; exporters?: string[] }
    >;
  };
}

interface DockerInstruction {
  stage: number;
  keyword: string;
  args: string;
}
interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}
/** A small Dockerfile reader: continuation lines, comments, ARG defaults in FROM. */
function readDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = m[1].toUpperCase();
    const rest = m[2];
    if (keyword === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=');
      args[k.trim()] = v.trim();
      continue;
    }
    if (keyword === 'FROM') {
      const parts = rest.split(/\s+/).filter((p) => !p.startsWith('--'));
      const image = parts[0].replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_m, n: string) => args[n] ?? '',
      );
      const asIndex = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ image, name: asIndex >= 0 ? parts[asIndex + 1] : undefined, instructions: [] });
      continue;
    }
    if (stages.length > 0)
      stages.at(-1)!.instructions.push({ stage: stages.length - 1, keyword, args: rest });
  }
  return stages;
}
interface DockerCopy {
  from?: string;
  sources: string[];
  dest: string;
}
function copyOf(instr: DockerInstruction): DockerCopy {
  const words = instr.args.trim().startsWith('[')
    ? (JSON.parse(instr.args) as string[])
    : instr.args.split(/\s+/).filter(Boolean);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** .dockerignore patterns (Go filepath.Match plus `**`), relative to the context root. */
function dockerignored(patterns: string[], rel: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = path.posix.normalize((negate ? raw.slice(1) : raw).replace(/^\/+/, ''));
    const re = new RegExp(
      '^' +
        pattern
          .split('**')
          .map((part) =>
            part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
          )
          .join('.*') +
        '(/.*)?$',
    );
    if (re.test(rel)) ignored = !negate;
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------

const REQUIRED_SERVICES = [
  'postgres',
  'temporal',
  'temporal-ui',
  'migrate',
  'api',
  'worker',
  'otel-collector',
  'jaeger',
  'prometheus',
  'grafana',
];

describe('docker-compose.yml', () => {
  it('is a Compose Specification file (no `version:`) with every service of the stack', () => {
    expect(
      rawCompose.version,
      'the `version:` key is obsolete in the Compose Specification',
    ).toBeUndefined();
    const missing = REQUIRED_SERVICES.filter((s) => !serviceNames.includes(s));
    expect(missing, `services missing from docker-compose.yml: ${missing.join(', ')}`).toEqual([]);
    expect(
      appServices.map(([n]) => n).sort(),
      'exactly migrate, api and worker should be built from this repository',
    ).toEqual(['api', 'migrate', 'worker']);
  });

  it('gives every service an image or a build', () => {
    const bad = Object.entries(services)
      .filter(([, s]) => !s.image && !s.build)
      .map(([n]) => n);
    expect(bad, `services with neither image nor build: ${bad.join(', ')}`).toEqual([]);
  });

  it('pins every image to a tag other than latest', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) continue;
      if (s.image.includes('@sha256:')) continue; // a digest pins harder than a tag
      const lastSegment = s.image.split('/').at(-1)!;
      const tag = lastSegment.includes(':') ? lastSegment.split(':').at(-1) : undefined;
      if (!tag) problems.push(`${name}: image "${s.image}" has no tag`);
      else if (tag === 'latest')
        problems.push(`${name}: image "${s.image}" uses the moving "latest" tag`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    const appImages = new Set(appServices.map(([, s]) => s.image));
    expect(
      appImages.size,
      `migrate, api and worker should share one image, found ${[...appImages].join(', ')}`,
    ).toBe(1);
  });

  it('names only existing services in depends_on, with valid conditions', () => {
    const valid = ['service_started', 'service_healthy', 'service_completed_successfully'];
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependenciesOf(s))) {
        if (!services[dep]) problems.push(`${name} depends on "${dep}", which is not a service`);
        else if (!valid.includes(condition))
          problems.push(`${name} → ${dep}: unknown condition "${condition}"`);
        else if (condition === 'service_healthy' && !hasHealthcheck(services[dep])) {
          problems.push(`${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('waits for the migration to complete and for Postgres to be healthy', () => {
    const problems: string[] = [];
    const oneShots = appServices
      .filter(([, s]) => commandOf(s).includes('migrate'))
      .map(([n]) => n);
    expect(oneShots, 'one app service should run `db migrate`').toEqual(['migrate']);
    expect(services.migrate.restart, 'the migration job must not restart after it exits').toBe(
      'no',
    );
    for (const [name, s] of Object.entries(services)) {
      const deps = dependenciesOf(s);
      if (deps.migrate && deps.migrate !== 'service_completed_successfully') {
        problems.push(
          `${name} → migrate is "${deps.migrate}", should be service_completed_successfully`,
        );
      }
      if (deps.postgres && deps.postgres !== 'service_healthy') {
        problems.push(`${name} → postgres is "${deps.postgres}", should be service_healthy`);
      }
    }
    for (const name of ['api', 'worker']) {
      const deps = dependenciesOf(services[name]);
      if (!deps.migrate)
        problems.push(`${name} does not wait for migrate (it refuses an unmigrated DB)`);
      if (!deps.temporal) problems.push(`${name} does not depend on temporal`);
    }
    for (const name of ['migrate', 'temporal']) {
      if (!dependenciesOf(services[name]).postgres)
        problems.push(`${name} does not wait for postgres`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(
      healthcheckText(services.postgres),
      'postgres healthcheck should use pg_isready',
    ).toContain('pg_isready');
  });

  it('has no dependency cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, trail: string[]): void => {
      if (state.get(name) === 'done' || !services[name]) return;
      if (state.get(name) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(name)), name].join(' → '));
        return;
      }
      state.set(name, 'visiting');
      for (const dep of Object.keys(dependenciesOf(services[name]))) visit(dep, [...trail, name]);
      state.set(name, 'done');
    };
    for (const name of serviceNames) visit(name, []);
    expect(cycles, `dependency cycles: ${cycles.join('; ')}`).toEqual([]);
  });

  it('runs app entrypoints whose TypeScript sources exist', () => {
    const tsconfigPath = path.join(root, 'tsconfig.build.json');
    const { config } = ts.readConfigFile(tsconfigPath, ts.sys.readFile) as { config: unknown };
    const { options } = ts.parseJsonConfigFileContent(
      config,
      ts.sys,
      root,
      undefined,
      tsconfigPath,
    );
    const outDir = options.outDir ?? root;
    const rootDir = options.rootDir ?? root;
    const expected: Record<string, string> = {
      api: 'apps/api/main.ts',
      worker: 'apps/workers/main.ts',
      migrate: 'apps/cli/main.ts',
    };
    const problems: string[] = [];
    for (const [name, s] of appServices) {
      const [exe, script] = commandOf(s);
      if (exe !== 'node' || !script?.endsWith('.js')) {
        problems.push(
          `${name}: command "${commandOf(s).join(' ')}" should be \`node <built file>.js\``,
        );
        continue;
      }
      const source = path.relative(
        root,
        path.join(rootDir, path.relative(outDir, path.join(root, script))).replace(/\.js$/, '.ts'),
      );
      if (source !== expected[name])
        problems.push(`${name}: runs ${script}, built from ${source}, expected ${expected[name]}`);
      if (!existsSync(path.join(root, source))) {
        problems.push(
          `${name}: runs ${script}, but its source ${source} does not exist (moved or renamed?)`,
        );
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(commandOf(services.migrate).slice(2), 'migrate should run `db migrate`').toEqual([
      'db',
      'migrate',
    ]);
  });

  it('bind-mounts only host paths that exist, and declares its named volumes', () => {
    const problems: string[] = [];
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        const isBind = typeof v === 'string' ? /^[./~]/.test(source ?? '') : v.type === 'bind';
        if (!source) continue; // anonymous volume
        if (isBind) {
          if (!existsSync(path.resolve(root, source)))
            problems.push(`${name}: bind mount ${source} does not exist`);
        } else if (!declared.includes(source)) {
          problems.push(
            `${name}: named volume "${source}" is not declared under top-level volumes`,
          );
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('gives the app services only variables that libs/config/config.ts knows', () => {
    const known = zodObjectKeys(read('libs/config/config.ts'));
    expect(
      [...known],
      'could not read the config schema keys from libs/config/config.ts',
    ).toContain('DATABASE_URL');
    const problems: string[] = [];
    for (const [name, s] of appServices) {
      for (const key of Object.keys(environmentOf(s))) {
        if (!known.has(key))
          problems.push(`${name}: ${key} is not a key of the config schema (typo or removed?)`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('writes environment values as strings (no YAML booleans or numbers)', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(s))) {
        if (typeof value !== 'string')
          problems.push(`${name}: ${key} is a ${typeof value} (${String(value)}); quote it`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it("passes each app service's environment through loadConfig", () => {
    const problems: string[] = [];
    for (const [name, s] of appServices) {
      try {
        const config = loadConfig(stringEnv(s));
        if (config.api.host !== '0.0.0.0')
          problems.push(
            `${name}: API_HOST is ${config.api.host}; in a container it must be 0.0.0.0`,
          );
        if (config.scanners.allowPrivateTargets)
          problems.push(`${name}: ALLOW_PRIVATE_TARGETS must be false in this stack`);
        if (!config.databaseUrl) problems.push(`${name}: DATABASE_URL is not set`);
        if (!config.telemetry.serviceName) problems.push(`${name}: OTEL_SERVICE_NAME is not set`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(`${name}: ${err.message}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it("points the apps at the stack's own Postgres, Temporal and collector", () => {
    const pg = stringEnv(services.postgres);
    const temporal = stringEnv(services.temporal);
    const collector = parseYaml('infra/otel-collector/config.yaml') as CollectorConfig;
    const otlpHttpPort = hostPort(collector.receivers?.otlp?.protocols?.http?.endpoint ?? '').port;
    const problems: string[] = [];
    for (const [name, s] of appServices) {
      const env = stringEnv(s);
      const db = new URL(env.DATABASE_URL);
      if (db.hostname !== 'postgres')
        problems.push(`${name}: DATABASE_URL host is ${db.hostname}, not the postgres service`);
      if (decodeURIComponent(db.username) !== pg.POSTGRES_USER)
        problems.push(`${name}: DATABASE_URL user is not POSTGRES_USER`);
      if (decodeURIComponent(db.password) !== pg.POSTGRES_PASSWORD)
        problems.push(`${name}: DATABASE_URL password is not POSTGRES_PASSWORD`);
      if (db.pathname.slice(1) !== pg.POSTGRES_DB)
        problems.push(`${name}: DATABASE_URL database is not POSTGRES_DB`);
      if (!/^postgres(ql)?:$/.test(db.protocol))
        problems.push(`${name}: DATABASE_URL is not a postgres:// URL`);

      const t = hostPort(env.TEMPORAL_ADDRESS);
      if (t.host !== 'temporal')
        problems.push(`${name}: TEMPORAL_ADDRESS host is ${t.host}, not the temporal service`);
      if (!declaredPorts(services.temporal).has(t.port))
        problems.push(`${name}: TEMPORAL_ADDRESS port ${t.port} is not a port temporal declares`);
      if ((env.TEMPORAL_NAMESPACE ?? 'default') !== (temporal.DEFAULT_NAMESPACE ?? 'default')) {
        problems.push(
          `${name}: TEMPORAL_NAMESPACE is not the namespace temporal's auto-setup creates`,
        );
      }

      const otel = hostPort(env.OTEL_EXPORTER_OTLP_ENDPOINT);
      if (otel.host !== 'otel-collector')
        problems.push(
          `${name}: OTEL_EXPORTER_OTLP_ENDPOINT host is ${otel.host}, not otel-collector`,
        );
      if (otel.port !== otlpHttpPort)
        problems.push(
          `${name}: OTEL endpoint port ${otel.port} is not the collector's OTLP/HTTP port ${otlpHttpPort}`,
        );
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('runs Temporal on Postgres with the role the init script creates', () => {
    const t = stringEnv(services.temporal);
    const pg = stringEnv(services.postgres);
    const problems: string[] = [];
    if (!services.temporal.image?.startsWith('temporalio/auto-setup:'))
      problems.push('temporal should use temporalio/auto-setup');
    if (t.DB !== 'postgres12') problems.push(`temporal DB is ${t.DB}, expected postgres12`);
    if (t.POSTGRES_SEEDS !== 'postgres')
      problems.push(`temporal POSTGRES_SEEDS is ${t.POSTGRES_SEEDS}, not the postgres service`);
    if (t.DB_PORT !== '5432') problems.push(`temporal DB_PORT is ${t.DB_PORT}, expected 5432`);
    if (t.POSTGRES_USER !== pg.TEMPORAL_DB_USER)
      problems.push(
        'temporal POSTGRES_USER differs from the role postgres creates (TEMPORAL_DB_USER)',
      );
    if (t.POSTGRES_PWD !== pg.TEMPORAL_DB_PASSWORD)
      problems.push('temporal POSTGRES_PWD differs from TEMPORAL_DB_PASSWORD given to postgres');
    if (t.SKIP_DB_CREATE !== 'true')
      problems.push('temporal must skip database creation: the init script creates the databases');
    const script = read('infra/postgres/initdb/10-temporal.sh');
    for (const needle of [
      'TEMPORAL_DB_USER',
      'TEMPORAL_DB_PASSWORD',
      'DATABASE temporal ',
      'DATABASE temporal_visibility ',
    ]) {
      if (!script.includes(needle))
        problems.push(`infra/postgres/initdb/10-temporal.sh does not mention "${needle}"`);
    }
    const mountsInitdb = (services.postgres.volumes ?? []).some(
      (v) =>
        typeof v === 'string' &&
        v.startsWith('./infra/postgres/initdb:/docker-entrypoint-initdb.d'),
    );
    if (!mountsInitdb)
      problems.push('postgres does not mount infra/postgres/initdb at /docker-entrypoint-initdb.d');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('gives the worker a stop_grace_period longer than WORKER_SHUTDOWN_GRACE_MS', () => {
    const graceMs = loadConfig(stringEnv(services.worker)).worker.shutdownGraceMs;
    const stopMs = durationMs(services.worker.stop_grace_period);
    expect(
      stopMs,
      `worker stop_grace_period is ${stopMs} ms, shorter than WORKER_SHUTDOWN_GRACE_MS ${graceMs} ms: Docker would SIGKILL mid-shutdown`,
    ).toBeGreaterThan(graceMs);
  });

  it('publishes the API on API_PORT and checks /health/ready there', () => {
    const port = loadConfig(stringEnv(services.api)).api.port;
    expect(
      declaredPorts(services.api).has(port),
      `api does not publish container port ${port} (API_PORT)`,
    ).toBe(true);
    const probe = healthcheckText(services.api);
    expect(probe, 'api healthcheck should probe /health/ready on API_PORT').toContain(
      `:${port}/health/ready`,
    );
  });

  it('publishes every host port at most once', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const { key, service } of publishedPorts()) {
      if (seen.has(key))
        clashes.push(`host port ${key} is published by both ${seen.get(key)} and ${service}`);
      else seen.set(key, service);
    }
    expect(clashes, clashes.join('\n')).toEqual([]);
    const expected = {
      api: '4000/tcp',
      'temporal-ui': '8080/tcp',
      jaeger: '16686/tcp',
      grafana: '3000/tcp',
      prometheus: '9090/tcp',
    };
    for (const [service, key] of Object.entries(expected)) {
      expect(seen.get(key), `${service} should publish ${key}`).toBe(service);
    }
  });
});

describe('infra/', () => {
  const collector = parseYaml('infra/otel-collector/config.yaml') as CollectorConfig;

  it('mounts the collector configuration where the contrib image reads it', () => {
    const mounts = (services['otel-collector'].volumes ?? []).filter(
      (v): v is string => typeof v === 'string',
    );
    expect(
      mounts.some((v) =>
        v.startsWith('./infra/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml'),
      ),
      'otel-collector should mount infra/otel-collector/config.yaml at /etc/otelcol-contrib/config.yaml',
    ).toBe(true);
  });

  it('builds collector pipelines only from defined receivers, processors, exporters and connectors', () => {
    const defined = (section?: Record<string, unknown>) => new Set(Object.keys(section ?? {}));
    const receivers = defined(collector.receivers);
    const processors = defined(collector.processors);
    const exporters = defined(collector.exporters);
    const connectors = defined(collector.connectors);
    const extensions = defined(collector.extensions);
    const pipelines = collector.service?.pipelines ?? {};
    const problems: string[] = [];
    for (const kind of ['traces', 'metrics']) {
      if (!Object.keys(pipelines).some((p) => p.split('/')[0] === kind))
        problems.push(`no ${kind} pipeline`);
    }
    const usedAsExporter = new Set<string>();
    const usedAsReceiver = new Set<string>();
    for (const [pipeline, p] of Object.entries(pipelines)) {
      if (!p.receivers?.length) problems.push(`pipeline ${pipeline} has no receivers`);
      if (!p.exporters?.length) problems.push(`pipeline ${pipeline} has no exporters`);
      for (const r of p.receivers ?? []) {
        if (connectors.has(r)) usedAsReceiver.add(r);
        else if (!receivers.has(r))
          problems.push(`pipeline ${pipeline}: receiver "${r}" is not defined`);
      }
      for (const x of p.processors ?? []) {
        if (!processors.has(x))
          problems.push(`pipeline ${pipeline}: processor "${x}" is not defined`);
      }
      for (const e of p.exporters ?? []) {
        if (connectors.has(e)) usedAsExporter.add(e);
        else if (!exporters.has(e))
          problems.push(`pipeline ${pipeline}: exporter "${e}" is not defined`);
      }
    }
    for (const c of connectors) {
      if (!usedAsExporter.has(c) || !usedAsReceiver.has(c)) {
        problems.push(
          `connector "${c}" must be an exporter of one pipeline and a receiver of another`,
        );
      }
    }
    for (const e of collector.service?.extensions ?? []) {
      if (!extensions.has(e)) problems.push(`extension "${e}" is enabled but not defined`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('sends traces to the jaeger service over OTLP and metrics to a Prometheus exporter', () => {
    const pipelines = Object.entries(collector.service?.pipelines ?? {});
    const traceExporters = pipelines
      .filter(([n]) => n.split('/')[0] === 'traces')
      .flatMap(([, p]) => p.exporters ?? []);
    const metricExporters = pipelines
      .filter(([n]) => n.split('/')[0] === 'metrics')
      .flatMap(([, p]) => p.exporters ?? []);
    const jaegerExporters = traceExporters.filter((e) => e.split('/')[0].startsWith('otlp'));
    expect(jaegerExporters.length, 'no OTLP exporter in a traces pipeline').toBeGreaterThan(0);
    for (const e of jaegerExporters) {
      const { host, port } = hostPort(collector.exporters?.[e]?.endpoint ?? '');
      expect(host, `exporter ${e} should send to the jaeger service`).toBe('jaeger');
      expect(
        declaredPorts(services.jaeger).has(port),
        `exporter ${e}: jaeger does not declare port ${port}`,
      ).toBe(true);
    }
    expect(
      metricExporters.some((e) => e.split('/')[0] === 'prometheus'),
      'no prometheus exporter in a metrics pipeline',
    ).toBe(true);
  });

  it("declares (expose) exactly the ports the collector's configuration listens on", () => {
    const listeners: string[] = [];
    for (const p of Object.values(collector.receivers?.otlp?.protocols ?? {})) {
      if (p?.endpoint) listeners.push(p.endpoint);
    }
    for (const [name, e] of Object.entries(collector.exporters ?? {})) {
      if (name.split('/')[0] === 'prometheus' && e?.endpoint) listeners.push(e.endpoint);
    }
    const healthCheck = (collector.extensions?.health_check as { endpoint?: string } | undefined)
      ?.endpoint;
    if (healthCheck) listeners.push(healthCheck);
    for (const reader of collector.service?.telemetry?.metrics?.readers ?? []) {
      const prom = reader.pull?.exporter?.prometheus;
      if (prom?.port !== undefined) listeners.push(`${prom.host ?? 'localhost'}:${prom.port}`);
    }
    const problems = listeners
      .filter((l) => hostPort(l).host !== '0.0.0.0')
      .map((l) => `the collector listens on ${l}: only 0.0.0.0 is reachable from other containers`);
    expect(problems, problems.join('\n')).toEqual([]);
    const listening = [...new Set(listeners.map((l) => hostPort(l).port))].sort();
    const declared = [...declaredPorts(services['otel-collector'])].sort();
    expect(
      declared,
      `otel-collector declares ${declared.join(', ')} but its config listens on ${listening.join(', ')}`,
    ).toEqual(listening);
  });

  it('has Prometheus scrape compose services on ports they declare', () => {
    const prom = parseYaml('infra/prometheus/prometheus.yml') as {
      scrape_configs?: { job_name: string; static_configs?: { targets?: string[] }[] }[];
    };
    const problems: string[] = [];
    const targets = (prom.scrape_configs ?? []).flatMap((job) =>
      (job.static_configs ?? []).flatMap((c) =>
        (c.targets ?? []).map((t) => ({ job: job.job_name, t })),
      ),
    );
    expect(targets.length, 'prometheus.yml has no scrape targets').toBeGreaterThan(0);
    for (const { job, t } of targets) {
      const { host, port } = hostPort(t);
      if (!services[host]) problems.push(`job ${job}: target ${t} is not a compose service`);
      else if (!declaredPorts(services[host]).has(port))
        problems.push(`job ${job}: ${host} does not declare port ${port}`);
    }
    const scraped = new Set(targets.map(({ t }) => hostPort(t).host));
    if (!scraped.has('otel-collector'))
      problems.push("Prometheus does not scrape the collector's metrics");
    const temporalMetrics = stringEnv(services.temporal).PROMETHEUS_ENDPOINT;
    if (
      scraped.has('temporal') &&
      !targets.some(({ t }) => t === `temporal:${hostPort(temporalMetrics ?? '').port}`)
    ) {
      problems.push('Prometheus scrapes temporal on a port other than its PROMETHEUS_ENDPOINT');
    }
    const mounts = (services.prometheus.volumes ?? []).filter(
      (v): v is string => typeof v === 'string',
    );
    if (
      !mounts.some((v) =>
        v.startsWith('./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml'),
      )
    ) {
      problems.push(
        'prometheus does not mount infra/prometheus/prometheus.yml at /etc/prometheus/prometheus.yml',
      );
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('provisions Grafana datasources for Prometheus and Jaeger at compose services', () => {
    const file = 'infra/grafana/provisioning/datasources/datasources.yaml';
    const ds = parseYaml(file) as { datasources?: { type: string; url: string }[] };
    const problems: string[] = [];
    for (const type of ['prometheus', 'jaeger']) {
      const d = ds.datasources?.find((x) => x.type === type);
      if (!d) {
        problems.push(`${file}: no ${type} datasource`);
        continue;
      }
      const { host, port } = hostPort(d.url);
      if (!services[host])
        problems.push(`${type} datasource URL ${d.url} does not name a compose service`);
      else if (!declaredPorts(services[host]).has(port))
        problems.push(`${type} datasource: ${host} does not declare port ${port}`);
    }
    const mounts = (services.grafana.volumes ?? []).filter(
      (v): v is string => typeof v === 'string',
    );
    if (
      !mounts.some((v) => v.startsWith('./infra/grafana/provisioning:/etc/grafana/provisioning'))
    ) {
      problems.push(
        'grafana does not mount infra/grafana/provisioning at /etc/grafana/provisioning',
      );
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile(read('Dockerfile'));
  const final = stages.at(-1)!;
  const copies = final.instructions.filter((i) => i.keyword === 'COPY').map(copyOf);

  it('builds in stages and runs on Node 24', () => {
    expect(stages.length, 'the Dockerfile should be multi-stage').toBeGreaterThan(1);
    const names = new Set(stages.map((s) => s.name).filter(Boolean));
    const problems: string[] = [];
    for (const [i, s] of stages.entries()) {
      if (!s.image.startsWith('node:24'))
        problems.push(`stage ${s.name ?? i} is based on ${s.image}, not node:24`);
      for (const instr of s.instructions.filter((x) => x.keyword === 'COPY')) {
        const from = copyOf(instr).from;
        if (from !== undefined && !names.has(from))
          problems.push(`COPY --from=${from}: no stage of that name`);
      }
    }
    const build = stages.find((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build')),
    );
    if (!build) problems.push('no stage runs `npm run build`');
    else if (
      !build.instructions.some((i) => i.keyword === 'RUN' && /npm (ci|install)\b/.test(i.args))
    ) {
      problems.push('the build stage should install from the lockfile (`npm install`)');
    }
    const prodInstall = stages.some((s) =>
      s.instructions.some(
        (i) =>
          i.keyword === 'RUN' && /npm (ci|install)\b/.test(i.args) && i.args.includes('--omit=dev'),
      ),
    );
    if (!prodInstall)
      problems.push('no stage installs production dependencies with `npm install --omit=dev`');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('runs the final stage as a non-root user, in production mode', () => {
    const users = final.instructions
      .filter((i) => i.keyword === 'USER')
      .map((i) => i.args.split(':')[0].trim());
    expect(users.length, 'the final stage has no USER: it would run as root').toBeGreaterThan(0);
    expect(['root', '0'], `the final stage runs as ${users.at(-1)}`).not.toContain(users.at(-1));
    const env = final.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env, 'the final stage should set NODE_ENV=production').toMatch(
      /NODE_ENV[= ]production\b/,
    );
  });

  it('copies dist, production node_modules, lab/zones and package.json into the final stage', () => {
    const build = stages.find((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build')),
    );
    const has = (pred: (c: DockerCopy) => boolean) => copies.some(pred);
    const problems: string[] = [];
    if (!has((c) => c.from === build?.name && c.sources.some((s) => /(^|\/)dist\/?$/.test(s)))) {
      problems.push('the final stage does not copy dist/ from the build stage');
    }
    const prodStage = stages.find((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('--omit=dev')),
    );
    if (
      !has(
        (c) =>
          c.from === prodStage?.name && c.sources.some((s) => /(^|\/)node_modules\/?$/.test(s)),
      )
    ) {
      problems.push('the final stage does not copy the production node_modules');
    }
    if (!has((c) => c.sources.some((s) => /(^|\/)lab\/zones\/?$/.test(s))))
      problems.push('the final stage does not copy lab/zones');
    if (!has((c) => c.sources.some((s) => /(^|\/)package\.json$/.test(s))))
      problems.push('the final stage does not copy package.json');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('copies only context paths that exist and that .dockerignore lets through', () => {
    const ignore = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const problems: string[] = [];
    for (const s of stages) {
      for (const c of s.instructions.filter((i) => i.keyword === 'COPY').map(copyOf)) {
        if (c.from !== undefined) continue;
        for (const src of c.sources) {
          const rel = path.posix.normalize(src).replace(/\/$/, '');
          if (rel === '.') continue;
          if (!existsSync(path.join(root, rel)))
            problems.push(`COPY ${src}: no such path in the repository`);
          if (dockerignored(ignore, rel)) problems.push(`COPY ${src}: excluded by .dockerignore`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('keeps installed, built, local and secret files out of the build context', () => {
    const ignore = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const leaked = ['node_modules', 'dist', '.tools', '.data', '.git', 'coverage', '.env'].filter(
      (p) => !dockerignored(ignore, p),
    );
    expect(leaked, `.dockerignore lets these into the build context: ${leaked.join(', ')}`).toEqual(
      [],
    );
  });
});
