import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startLab } from '../../../lab/lab';
import { loadOrCreateLabTsaPki } from '../../../lab/tsa/lab-tsa-pki';
import { startLabTsa } from '../../../lab/tsa/tsa-server';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import {
  createDataSource,
  ensureFirstAdmin,
  OrganisationEntity,
  runMigrations,
  type FirstAdmin,
} from '../../../libs/db';
import { startClamd } from '../../../libs/embedded/clamd';
import { startEmbeddedPostgres } from '../../../libs/embedded/embedded-postgres';
import { startS3Server } from '../../../libs/embedded/s3-server';
import { stopProcess, waitFor } from '../../../libs/embedded/process-utils';
import { projectRoot } from '../../../libs/embedded/paths';
import { startTemporalDevServer } from '../../../libs/embedded/temporal-dev-server';

export interface DevOptions {
  /** The S3 server (versitygw); default PERIMETER_DEV_S3_PORT or 7070. */
  s3Port?: number;
  /** clamd's TCP port; default PERIMETER_DEV_CLAMD_PORT or 3310. */
  clamdPort?: number;
  apiPort: number;
  pgPort: number;
  temporalPort: number;
  temporalUiPort: number;
  labDnsPort: number;
  labHttpsPort: number;
  /** The lab Time-Stamp Authority (RFC 3161), used unless PROOF_TSAS or PROOF_TSA_CA_FILES is set. */
  labTsaPort: number;
}

type Stop = () => Promise<void>;

/** The embedded stack's token-signing secret: made once, kept beside its data (mode 0600). */
async function localJwtSecret(data: string): Promise<string> {
  const file = path.join(data, 'auth-secret');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/** A secret made once and kept beside the embedded stack's data (mode 0600). */
async function keptSecret(data: string, name: string): Promise<string> {
  const file = path.join(data, name);
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim().length >= 16) return existing.trim();
  const secret = randomBytes(24).toString('hex');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

async function busyPorts(ports: Record<string, number>): Promise<string[]> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(`${name} ${port}`);
  }
  return busy;
}

/**
 * `perimeter dev`: the whole system on this machine with embedded defaults — PostgreSQL, the
 * Temporal dev server (Web UI, state in a file), the lab, migrations, the API and a worker.
 */
export async function devCommand(opts: DevOptions, out = console.log): Promise<number> {
  const root = projectRoot();
  // Paths inside the repository print relative to it; others in full.
  const shown = (p: string) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
  const data = process.env.PERIMETER_DEV_DATA_DIR ?? path.join(root, '.data');
  const logs = path.join(data, 'logs');
  await mkdir(logs, { recursive: true });
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => out(`stop: ${e.message}`));
  };
  const fileLog = (name: string) => {
    const stream = createWriteStream(path.join(logs, `${name}.log`), { flags: 'a' });
    return (line: string) => stream.write(line);
  };

  const children: ChildProcess[] = [];
  // Last resort if this process dies before its orderly stop: never leave orphans behind.
  process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  const s3Port = opts.s3Port ?? Number(process.env.PERIMETER_DEV_S3_PORT ?? 7070);
  const clamdPort = opts.clamdPort ?? Number(process.env.PERIMETER_DEV_CLAMD_PORT ?? 3310);
  try {
    const busy = await busyPorts({
      'S3 server': s3Port,
      clamd: clamdPort,
      ...(process.env.DATABASE_URL ? {} : { PostgreSQL: opts.pgPort }),
      'Temporal server': opts.temporalPort,
      'Temporal UI': opts.temporalUiPort,
      API: opts.apiPort,
      'lab DNS': opts.labDnsPort,
      'lab HTTPS': opts.labHttpsPort,
      'lab TSA': opts.labTsaPort,
    });
    if (busy.length) {
      throw new Error(
        `port(s) already in use: ${busy.join(', ')}. Is another Perimeter running? ` +
          'Ports are set with API_PORT, PERIMETER_DEV_PG_PORT, PERIMETER_DEV_TEMPORAL_PORT, ' +
          'PERIMETER_DEV_TEMPORAL_UI_PORT, PERIMETER_DEV_S3_PORT, PERIMETER_DEV_CLAMD_PORT and --dns-port.',
      );
    }

    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      out(`starting PostgreSQL (data in ${shown(data)}/postgres)…`);
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(data, 'postgres'),
        port: opts.pgPort,
        onLog: fileLog('postgres'),
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }

    out('starting the Temporal dev server…');
    const temporal = await startTemporalDevServer({
      port: opts.temporalPort,
      uiPort: opts.temporalUiPort,
      dbFile: path.join(data, 'temporal', 'temporal.db'),
      onLog: fileLog('temporal'),
    });
    stops.push(temporal.stop);

    const lab = await startLab({ dnsPort: opts.labDnsPort, httpsPort: opts.labHttpsPort });
    // The worker trusts the lab's CA for MTA-STS policies and BIMI files.
    const labCaFile = path.join(data, 'lab-ca.pem');
    await writeFile(labCaFile, lab.https.caPem);
    stops.push(lab.close);
    // Its certificates persist in .data/tsa, so tokens verify across restarts.
    const tsa = await startLabTsa({
      port: opts.labTsaPort,
      pki: await loadOrCreateLabTsaPki(path.join(data, 'tsa')),
    });
    stops.push(tsa.close);
    const tsaRootFile = path.join(data, 'tsa', 'root.pem');
    const ownTsa = Boolean(process.env.PROOF_TSAS || process.env.PROOF_TSA_CA_FILES);

    const ds = await createDataSource(databaseUrl).initialize();
    let firstAdmin: FirstAdmin | undefined;
    let defaultOrganisationId: string | undefined;
    try {
      const applied = await runMigrations(ds);
      if (applied.length) out(`applied migrations: ${applied.join(', ')}`);
      firstAdmin = await ensureFirstAdmin(ds);
      defaultOrganisationId = (
        await ds.getRepository(OrganisationEntity).findOneBy({ slug: 'default' })
      )?.id;
    } finally {
      await ds.destroy();
    }
    const jwtSecret = await localJwtSecret(data);

    // Bucket malware scanning: clamd with the lab's signatures; the S3 server starts after the
    // API because versitygw checks its notification webhook when it starts.
    out('starting clamd (lab signature database)…');
    const clamd = await startClamd({
      dir: path.join(data, 'clamd'),
      port: clamdPort,
      onLog: fileLog('clamd'),
    });
    stops.push(clamd.stop);
    const s3Access = `perimeter-${(await keptSecret(data, 's3-access-key')).slice(0, 12)}`;
    const s3Secret = await keptSecret(data, 's3-secret-key');
    const notificationSecret = await keptSecret(data, 'bucket-notification-secret');

    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      API_HOST: '127.0.0.1',
      API_PORT: String(opts.apiPort),
      SCANNER_RESOLVERS: lab.resolvers.join(','),
      // The lab lives on loopback addresses.
      ALLOW_PRIVATE_TARGETS: 'true',
      // Lab domains sit under perimeter.test as real ones sit under a TLD.
      SCANNER_EXTRA_PUBLIC_SUFFIXES: 'perimeter.test',
      SCANNER_EXTRA_CA_FILES: labCaFile,
      SCANNER_HTTPS_PORT: String(lab.https.port),
      SCANNER_HTTP_PORT: String(lab.http.port),
      SCANNER_TLS_PORT: String(lab.tls.port),
      SCANNER_SMTP_PORT: String(lab.smtp.port),
      AUTH_LOCAL_SIGNIN: 'true',
      AUTH_LOCAL_JWT_SECRET: jwtSecret,
      ...(ownTsa
        ? {}
        : { PROOF_TSAS: JSON.stringify([{ name: 'lab', url: tsa.url, caFiles: [tsaRootFile] }]) }),
      WORKER_TASK_QUEUES: 'perimeter-domain-scans,perimeter-surface,perimeter-buckets',
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3Access,
      S3_SECRET_ACCESS_KEY: s3Secret,
      S3_FORCE_PATH_STYLE: 'true',
      CLAMD_ADDRESS: clamd.address,
      BUCKET_NOTIFICATION_SECRET: notificationSecret,
    };
    for (const [name, entry] of [
      ['worker', 'dist/apps/workers/main.js'],
      ['api', 'dist/apps/api/main.js'],
    ] as const) {
      const log = fileLog(name);
      const child = spawn(process.execPath, [path.join(root, entry)], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => log(d.toString()));
      child.stderr?.on('data', (d: Buffer) => log(d.toString()));
      children.push(child);
      stops.push(() => stopProcess(child));
    }

    const graphql = `http://127.0.0.1:${opts.apiPort}/graphql`;
    await waitFor(
      'the API',
      async () => {
        const dead = children.find((c) => c.exitCode !== null);
        if (dead) throw new Error(`a process exited early; see ${logs}`);
        const res = await fetch(`http://127.0.0.1:${opts.apiPort}/health/ready`);
        if (!res.ok) throw new Error(`readiness ${res.status}`);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    const s3 = await startS3Server({
      dataDir: path.join(data, 's3'),
      port: s3Port,
      accessKeyId: s3Access,
      secretAccessKey: s3Secret,
      webhookUrl: `http://127.0.0.1:${opts.apiPort}/buckets/notifications?token=${notificationSecret}`,
      onLog: fileLog('s3'),
    });
    stops.push(s3.stop);

    out('');
    out('Perimeter is running.');
    out(`  GraphQL endpoint  ${graphql}`);
    out(`  Temporal UI       ${temporal.uiUrl}/namespaces/default/workflows`);
    out(`  Temporal server   ${temporal.address}`);
    out(`  PostgreSQL        ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
    out(`  Lab DNS           ${lab.dns.address} (zones in lab/zones)`);
    out(`  Lab HTTPS         127.0.0.1:${lab.https.port} (CA in ${shown(labCaFile)})`);
    out(`  Lab HTTP          127.0.0.1:${lab.http.port}`);
    out(`  Lab TSA           ${tsa.url} (root in ${shown(tsaRootFile)})`);
    out(
      `  S3 server         ${s3.endpoint} (versitygw; access key ${s3Access}, secret in ${shown(data)}/s3-secret-key)`,
    );
    out(`  clamd             ${clamd.address} (signatures from lab/clamav)`);
    out(`  Logs              ${shown(logs)}/`);
    out('');
    if (firstAdmin) {
      out('First start: created the super-admin (admin of the "default" organisation):');
      out(`  email     ${firstAdmin.email}`);
      out(
        `  password  ${firstAdmin.password}   (shown once; reset with \`perimeter admin reset-password\`)`,
      );
    } else {
      out(
        'Sign in with the admin created on first start (`perimeter admin reset-password <email>` for a new password).',
      );
    }
    out('');
    out('Try it: sign in, then scan a lab domain with the token.');
    const email = firstAdmin?.email ?? 'admin@perimeter.local';
    const password = firstAdmin?.password ?? '<password>';
    out(
      `  TOKEN=$(curl -s ${graphql} -H 'content-type: application/json' \\\n` +
        `    -d '{"query":"mutation { signIn(email: \\"${email}\\", password: \\"${password}\\") { token } }"}' \\\n` +
        `    | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')`,
    );
    out(
      `  curl -s ${graphql} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\\n` +
        `    -d '{"query":"mutation { requestDomainScan(organisationId: \\"${defaultOrganisationId ?? '<organisation id>'}\\", domain: \\"good.perimeter.test\\") { id status workflowId } }"}'`,
    );
    out('Stop with Ctrl-C.');

    const exited = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('interrupted'));
      process.once('SIGTERM', () => resolve('terminated'));
      for (const [i, c] of children.entries()) {
        c.once('exit', (code) => resolve(`${i === 0 ? 'worker' : 'api'} exited with ${code}`));
      }
    });
    out(`${exited}; stopping…`);
    await stopAll();
    return exited.includes('exited') ? 1 : 0;
  } catch (err) {
    out(`failed to start: ${(err as Error).message}`);
    await stopAll();
    return 1;
  }
}
