/**
 * The web scanner (pshtt and HTTP Observatory checks) over 1,000 lab hosts of mixed web posture:
 * every lab web posture copied under new names, served by the lab HTTP and HTTPS servers, scanned
 * in-process with `scanWeb`. Prints hosts per second, requests per second (HTTPS requests are TLS
 * handshakes: the scanner opens a fresh connection per request) and peak RSS.
 * Run: `npm run bench:web` (BENCH_HOSTS, BENCH_CONCURRENCY to change the load).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanWeb } from '../activities/web/web.scanner';
import { parseZoneFile, startLabDnsServer, type Zone } from '../lab/dns';
import { startLabHttpServer } from '../lab/http/http-server';
import { labWebSites } from '../lab/http/web-sites';
import { startLabHttpsServer } from '../lab/https/https-server';
import { projectRoot } from '../libs/embedded/paths';
import { createScannerResolver } from '../libs/net/scanner-resolver';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

/** Deep copy with every string's `from` replaced by `to` (site definitions name their hosts). */
function renamed<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return value.split(from).join(to) as T;
  if (Array.isArray(value)) return value.map((v) => renamed(v, from, to)) as T;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.split(from).join(to), renamed(v, from, to)]),
    ) as T;
  }
  return value;
}

async function main() {
  const dir = path.join(projectRoot(), 'lab', 'zones');
  // The timeout posture measures a timeout, not throughput: it is not copied.
  const templates = (await readdir(dir))
    .filter((f) => /^web-[a-z0-9-]+\.perimeter\.test\.zone$/.test(f) && !f.includes('timeout'))
    .sort();
  const texts = await Promise.all(templates.map((f) => readFile(path.join(dir, f), 'utf8')));
  const base = labWebSites();
  const zones: Zone[] = [];
  const sites = { http: { ...base.http }, https: { ...base.https } };
  const hosts: string[] = [];
  for (const [i, f] of templates.entries()) {
    const origin = f.replace(/\.zone$/, '');
    zones.push(parseZoneFile(texts[i]!, { fileName: origin, origin }));
  }
  for (let i = 0; hosts.length < HOSTS; i++) {
    const t = i % templates.length;
    const origin = templates[t]!.replace(/\.zone$/, '');
    const copy = `c${Math.floor(i / templates.length)}-${origin}`;
    zones.push(parseZoneFile(texts[t]!.split(origin).join(copy), { fileName: copy, origin: copy }));
    for (const kind of ['http', 'https'] as const) {
      for (const [host, site] of Object.entries(base[kind])) {
        if (host === origin || host.endsWith(`.${origin}`)) {
          const name = host.slice(0, -origin.length) + copy;
          (sites[kind] as Record<string, unknown>)[name] = renamed(site, origin, copy);
        }
      }
    }
    hosts.push(copy);
  }

  const setupStart = performance.now();
  const dns = await startLabDnsServer({ zones });
  const https = await startLabHttpsServer({ sites: sites.https });
  const http = await startLabHttpServer({ sites: sites.http });
  const setupSeconds = (performance.now() - setupStart) / 1000;
  try {
    const ctx = {
      resolver: createScannerResolver({ servers: [dns.address], timeoutMs: 2000, tries: 3 }),
      allowPrivateTargets: true,
      extraPublicSuffixes: ['perimeter.test'],
      https: {
        port: https.port,
        httpPort: http.port,
        extraCaPems: [https.caPem],
        webTimeoutMs: 5000,
      },
    };
    let requests = 0;
    let httpsRequests = 0;
    let unknown = 0;
    const findings = new Map<string, number>();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < hosts.length) {
          const report = await scanWeb(hosts[next++]!, ctx);
          requests += report.data.requests;
          httpsRequests +=
            Object.values(report.data.endpoints)
              .flatMap((e) => e.chain)
              .filter((h) => h.url.startsWith('https:')).length + (report.data.securityTxt ? 1 : 0);
          if (report.status === 'unknown') {
            unknown++;
            if (process.env.BENCH_DEBUG) console.log(JSON.stringify(report.undetermined));
          }
          for (const f of report.findings) findings.set(f.id, (findings.get(f.id) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `Web scanner over ${hosts.length} lab hosts (${templates.length} postures), concurrency ${CONCURRENCY}; lab set-up ${setupSeconds.toFixed(1)} s`,
    );
    console.table([
      {
        hosts: hosts.length,
        seconds: +seconds.toFixed(1),
        'hosts/s': +(hosts.length / seconds).toFixed(1),
        requests,
        'requests/s': Math.round(requests / seconds),
        'HTTPS requests (handshakes)/s': Math.round(httpsRequests / seconds),
        'CPU s (scanner + lab servers)': +cpuSeconds.toFixed(1),
        'requests per CPU s': Math.round(requests / cpuSeconds),
        'peak RSS MB': Math.round(peak / 2 ** 20),
        'unknown reports': unknown,
      },
    ]);
    console.log(
      'Most frequent findings:',
      [...findings]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([id, n]) => `${id} ${n}`)
        .join(', '),
    );
  } finally {
    await Promise.all([dns.close(), https.close(), http.close()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
