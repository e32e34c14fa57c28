import { parseArgs } from 'node:util';

const USAGE = `perimeter <command>

  dev                     start the whole system with embedded defaults
  db migrate              apply pending database migrations (DATABASE_URL)
  db status               list pending migrations; exit 1 when some are pending
  lab [--dns-port N]      run the lab (fake internet) until interrupted
  scan domain <name> [--only mail,dns,spf,…] [--dns-server host:port] [--allow-private]
                     [--dkim-selectors a,b] [--format json|table]
                          scan a domain now, without any server
  scan tls <host[:port]> [--starttls smtp] [--sni name] [--dns-server host:port] [--allow-private]
                     [--format json|table]
                          TLS protocols, suites, certificate of one endpoint (or SMTP STARTTLS)
  surface <inventory.json> --vm <id> [--transitive] [--path <attacker>] [--top N] [--format json|table]
                          attack surface of a cloud inventory, without any server
  guidance list [--area dmarc|spf|…] [--severity fail|…] [--format json|table]
  guidance show <id> [--format json|table]
                          the guidance catalogue (tags, meaning, fix, Tracker ids), without any server
  dmarc parse <files…> [--format json|csv]
                          DMARC aggregate reports (.xml, .xml.gz, .zip, .eml), without any server
  admin create-user <email> [--super-admin]
                          create a user with a random password, printed once
  admin reset-password <email>
                          give a user a new random password, printed once
  proof verify <result-id> [--format json|table]
                          re-hash a stored result and check its RFC 3161 token (DATABASE_URL)
  proof export <result-id> [--out DIR]
                          write the token (DER) and the hashed bytes for openssl ts -verify
  proof stamp-pending     time-stamp every stored result that has no token yet
  probe --organisation ID --name N --target T --parser json|jsonl|lines [--every S] [--type T]
        [--api URL] [--timeout S] -- <tool> [args, {target}]
                          run a scanning tool and post its result (key in PERIMETER_TOKEN)

As a client of a running API: --server <url> (or PERIMETER_SERVER), --token <api key> (or
PERIMETER_TOKEN), --organisation <slug|id> when the token sees several; --format table|json.
  scan domain <name> --server <url> [--only …] [--dkim-selectors a,b] [--no-follow]
  scan organisation --server <url> [--only …] [--concurrency N] [--no-follow]
                          request a scan and follow its progress live
  domains --server <url>  list the organisation's domains
  audit list|show <id>|trigger <id>|pause <id> [--note …]|resume <id>|delete <id> --server <url>
  audit create <name> [--domain <name>] (--every 6h [--offset 2h] | --at HH:MM [--days mon,fri])
               [--time-zone Europe/Paris] [--jitter 5m] [--overlap skip|buffer-one|…] [--only …]
               [--paused] --server <url>
  audit update <id> [schedule options] [--only …] --server <url>
                          recurring audits (Temporal Schedules)

      starttls: { type: 'string' },
      sni: { type: 'string' },
Configuration comes from the environment (see README).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'dns-port': { type: 'string' },
      host: { type: 'string' },
      'api-port': { type: 'string' },
      'super-admin': { type: 'boolean' },
      vm: { type: 'string' },
      transitive: { type: 'boolean' },
      path: { type: 'string' },
      top: { type: 'string' },
      format: { type: 'string' },
      only: { type: 'string' },
      'dns-server': { type: 'string' },
      'allow-private': { type: 'boolean' },
      'dkim-selectors': { type: 'string' },
      area: { type: 'string' },
      severity: { type: 'string' },
      out: { type: 'string' },
      organisation: { type: 'string' },
      name: { type: 'string' },
      target: { type: 'string' },
      parser: { type: 'string' },
      every: { type: 'string' },
      type: { type: 'string' },
      api: { type: 'string' },
      timeout: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      concurrency: { type: 'string' },
      'no-follow': { type: 'boolean' },
      domain: { type: 'string' },
      offset: { type: 'string' },
      at: { type: 'string' },
      days: { type: 'string' },
      'time-zone': { type: 'string' },
      jitter: { type: 'string' },
      overlap: { type: 'string' },
      paused: { type: 'boolean' },
      note: { type: 'string' },
      starttls: { type: 'string' },
      sni: { type: 'string' },
    },
  });
  const [command, sub, arg] = positionals;
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const server = values.server ?? process.env.PERIMETER_SERVER;
  const format = values.format ?? 'table';
  if (format !== 'json' && format !== 'table') {
    console.error('--format: json or table');
    return 2;
  }
  const remote = server
    ? {
        server,
        token: values.token ?? process.env.PERIMETER_TOKEN,
        organisation: values.organisation ?? process.env.PERIMETER_ORGANISATION,
        format: format as 'json' | 'table',
      }
    : undefined;
  if (remote && (command === 'scan' || command === 'domains')) {
    const scans = await import('./commands/remote-scan.command.js');
    const follow = !values['no-follow'];
    if (command === 'domains') return scans.remoteDomainsCommand(remote);
    if (sub === 'domain' && arg) {
      return scans.remoteScanDomainCommand(arg, {
        ...remote,
        only: values.only,
        dkimSelectors: values['dkim-selectors'],
        follow,
      });
    }
    if (sub === 'organisation') {
      if (values.concurrency !== undefined && !/^\d{1,3}$/.test(values.concurrency)) {
        console.error('--concurrency: a number of child scans, 1–100');
        return 2;
      }
      const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
      return scans.remoteScanOrganisationCommand({
        ...remote,
        only: values.only,
        concurrency,
        follow,
      });
    }
  }
  const needsServer =
    command === 'audit' || command === 'domains' || (command === 'scan' && sub === 'organisation');
  if (needsServer && !remote) {
    console.error(`${command} talks to a running API: give --server <url> (or PERIMETER_SERVER)`);
    return 2;
  }
  if (command === 'audit' && remote) {
    return (await import('./commands/audit.command.js')).auditCommand(sub, arg, {
      ...remote,
      domain: values.domain,
      only: values.only,
      every: values.every,
      offset: values.offset,
      at: values.at,
      days: values.days,
      timeZone: values['time-zone'],
      jitter: values.jitter,
      overlap: values.overlap,
      paused: values.paused,
      note: values.note,
    });
  }
  switch (command) {
    case 'db':
      return (await import('./commands/db.command.js')).dbCommand(sub);
    case 'lab':
      return (await import('./commands/lab.command.js')).labCommand({
        host: values.host ?? '127.0.0.1',
        dnsPort: num(values['dns-port'], 15353),
      });
    case 'surface': {
      if (!sub) break;
      const format = values.format ?? 'json';
      if (format !== 'json' && format !== 'table') break;
      return (await import('./commands/surface.command.js')).surfaceCommand(sub, {
        vm: values.vm,
        transitive: values.transitive ?? false,
        path: values.path,
        top: values.top === undefined ? undefined : Number(values.top),
        format,
      });
    }
    case 'dmarc': {
      const files = positionals.slice(2);
      const format = values.format ?? 'json';
      if (sub !== 'parse' || files.length === 0 || (format !== 'json' && format !== 'csv')) break;
      return (await import('./commands/dmarc.command.js')).dmarcParseCommand(files, { format });
    }
    case 'admin':
      return (await import('./commands/admin.command.js')).adminCommand(sub, arg, {
        superAdmin: values['super-admin'] ?? false,
      });
    case 'scan':
      if (sub === 'tls' && arg) {
        if (values.format && values.format !== 'json' && values.format !== 'table') break;
        return (await import('./commands/scan-tls.command.js')).scanTlsCommand(arg, {
          starttls: values.starttls,
          sni: values.sni,
          dnsServer: values['dns-server'],
          allowPrivate: values['allow-private'],
          format: values.format as 'json' | 'table' | undefined,
        });
      }
      if (sub !== 'domain' || !arg) break;
      if (values.format && values.format !== 'json' && values.format !== 'table') break;
      return (await import('./commands/scan.command.js')).scanDomainCommand(arg, {
        only: values.only,
        dnsServer: values['dns-server'],
        allowPrivate: values['allow-private'],
        format: values.format as 'json' | 'table' | undefined,
        dkimSelectors: values['dkim-selectors'],
      });
    case 'guidance':
      if (values.format && values.format !== 'json' && values.format !== 'table') break;
      return (await import('./commands/guidance.command.js')).guidanceCommand(sub, arg, {
        area: values.area,
        severity: values.severity,
        format: (values.format as 'json' | 'table' | undefined) ?? 'table',
      });
    case 'proof': {
      const format = values.format ?? 'table';
      if (format !== 'json' && format !== 'table') break;
      return (await import('./commands/proof.command.js')).proofCommand(sub, arg, {
        format,
        out: values.out,
      });
    }
    case 'probe': {
      if (!values.organisation || !values.name || !values.target || !values.parser) break;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      return (await import('./commands/probe.command.js')).probeCommand({
        apiUrl: values.api ?? process.env.PERIMETER_API_URL ?? 'http://127.0.0.1:4000/graphql',
        token: process.env.PERIMETER_TOKEN ?? '',
        organisationId: values.organisation,
        name: values.name,
        target: values.target,
        parser: values.parser,
        command: positionals.slice(1),
        everySeconds: values.every === undefined ? undefined : Number(values.every),
        type: values.type,
        timeoutSeconds: num(values.timeout, 300),
        signal: stop.signal,
      });
    }
    case 'dev':
      return (await import('./commands/dev.command.js')).devCommand({
        apiPort: num(values['api-port'] ?? process.env.API_PORT, 4000),
        pgPort: num(process.env.PERIMETER_DEV_PG_PORT, 54329),
        temporalPort: num(process.env.PERIMETER_DEV_TEMPORAL_PORT, 7233),
        temporalUiPort: num(process.env.PERIMETER_DEV_TEMPORAL_UI_PORT, 8233),
        labDnsPort: num(values['dns-port'], 15353),
        labHttpsPort: num(process.env.PERIMETER_DEV_LAB_HTTPS_PORT, 15443),
        labTsaPort: num(process.env.PERIMETER_DEV_LAB_TSA_PORT, 15318),
      });
  }
  console.error(USAGE);
  return 2;
}

/**
 * Exits once everything written to stdout and stderr has gone out. Node writes to pipes
 * synchronously on Linux but not on every platform (macOS): there, exiting at once can cut a large
 * `--format json` answer short.
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(exitAfterFlush, (err: Error) => {
  console.error(`${err.name}: ${err.message}`);
  exitAfterFlush(1);
});
