/**
 * TLS scans of 1,000 lab hosts: each host name resolves (through the lab DNS server) to one of
 * the lab TLS postures on 127.0.5.x, and gets the whole `scanTls` evaluation: protocol, suite,
 * group and extension probes with hand-built ClientHellos, one full Node TLS handshake, the
 * certificate chain and the findings. The lab servers run in this same process, so their CPU
 * counts against the figures. Prints hosts/s, handshakes/s, CPU seconds used (scanner and servers
 * together; on a shared machine wall time also waits for a CPU) and peak RSS.
 * Run: `npm run bench:tls` (BENCH_HOSTS, BENCH_CONCURRENCY to change the load).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { scanTls } from '../activities/tls/tls.scanner';
import { parseZoneFile, startLabDnsServer } from '../lab/dns';
import { createLabCa } from '../lab/https/lab-ca';
import { labTlsHosts } from '../lab/tls/tls-postures';
import { startLabTlsServers } from '../lab/tls/tls-servers';
import { createScannerResolver } from '../libs/net/scanner-resolver';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function main() {
  const ca = createLabCa();
  const postures = labTlsHosts(ca);
  // One zone, HOSTS names, spread over every TLS posture.
  const lines = ['$ORIGIN bench-tls.perimeter.test.', '$TTL 300'];
  lines.push('@ IN SOA ns1 hostmaster 1 3600 600 604800 300', '@ IN NS ns1', 'ns1 IN A 127.0.0.11');
  const hosts: string[] = [];
  for (let i = 0; i < HOSTS; i++) {
    const posture = postures[i % postures.length]!;
    lines.push(`h${i} IN A ${posture.address}`);
    hosts.push(`h${i}.bench-tls.perimeter.test`);
  }
  const zone = parseZoneFile(`${lines.join('\n')}\n`, {
    fileName: 'bench-tls',
    origin: 'bench-tls.perimeter.test',
  });
  const dns = await startLabDnsServer({ zones: [zone] });
  const tls = await startLabTlsServers(postures);
  try {
    const ctx = {
      resolver: createScannerResolver({ servers: [dns.address], timeoutMs: 2000, tries: 3 }),
      allowPrivateTargets: true,
      extraPublicSuffixes: ['perimeter.test'],
      https: { extraCaPems: [ca.caPem] },
      tls: { port: tls.port, timeoutMs: 5000, concurrency: 5 },
    };
    let handshakes = 0;
    let unknown = 0;
    let next = 0;
    const memory = peakRss();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < hosts.length) {
          const report = await scanTls(hosts[next++]!, ctx);
          handshakes += report.data.hosts.reduce((n, h) => n + h.handshakes, 0);
          if (report.status === 'unknown') unknown++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // Scanner and lab servers together: what this process got of the CPUs.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peak = memory.stop();
    console.table([
      {
        hosts: hosts.length,
        postures: postures.length,
        'hosts at once': CONCURRENCY,
        seconds: +seconds.toFixed(1),
        'hosts/s': +(hosts.length / seconds).toFixed(1),
        handshakes,
        'handshakes/s': Math.round(handshakes / seconds),
        'CPU s': +cpuSeconds.toFixed(1),
        'handshakes/CPU-s': Math.round(handshakes / cpuSeconds),
        'undetermined hosts': unknown,
        'peak RSS MB': Math.round(peak / 1024 / 1024),
      },
    ]);
    console.log(
      `node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other processes share the CPUs)`,
    );
  } finally {
    await Promise.all([dns.close(), tls.close()]);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
