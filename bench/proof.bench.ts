/**
 * Proof of scan: the cost of Perimeter's side of a time-stamp. Canonicalising and hashing a result,
 * verifying a stored token (what `verifyResult` does), and full round trips (request, checked reply)
 * against the lab TSA on loopback — which forks `openssl ts -reply` per request, so that figure is
 * the lab TSA's, not a real TSA's. Run: `npm run bench:proof`.
 */
import { performance } from 'node:perf_hooks';
import { startLabTsa } from '../lab/tsa/tsa-server';
import {
  canonicalBytes,
  certificatesFromPem,
  requestTimestamp,
  sha256,
  verifyTimeStampToken,
} from '../libs/proof';

const N = Number(process.env.BENCH_N ?? 200);

/** A DMARC-sized result: nested findings and records, about 6 KB as JSON. */
function sampleResult(i: number) {
  return {
    v: 1,
    type: 'perimeter.scan-result',
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    scanner: 'dmarc',
    status: 'completed',
    data: {
      findings: Array.from({ length: 20 }, (_, k) => ({
        id: `dmarc-${k}`,
        severity: k % 3 ? 'info' : 'warning',
        message: `finding ${k} for record number ${i}`,
        evidence: { record: 'v=DMARC1; p=reject; rua=mailto:d@example.org', tags: { p: 'reject' } },
      })),
      records: Array.from({ length: 10 }, (_, k) => `v=DMARC1; p=none; pct=${k}`),
    },
    error: null,
    startedAt: new Date(0).toISOString(),
    finishedAt: new Date(1000).toISOString(),
  };
}

async function time(
  label: string,
  count: number,
  fn: () => unknown,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await fn();
  const ms = performance.now() - started;
  return {
    operation: label,
    count,
    'per second': Math.round(count / (ms / 1000)),
    'mean ms': +(ms / count).toFixed(3),
  };
}

async function main() {
  const tsa = await startLabTsa();
  try {
    const trusted = { name: 'lab', url: tsa.url, roots: certificatesFromPem(tsa.pki.rootPem) };
    const doc = sampleResult(1);
    const digest = sha256(canonicalBytes(doc));
    const { token } = await requestTimestamp(digest, [trusted], 10_000); // warm-up
    let i = 0;
    const rows = [
      await time('canonicalise (RFC 8785) + SHA-256, 6 KB result', N * 50, () =>
        sha256(canonicalBytes(sampleResult(i++))),
      ),
      await time('verify a stored token (signature, chain, ESSCertIDv2)', N, () =>
        verifyTimeStampToken(token, { digest, tsas: [trusted] }),
      ),
      await time('time-stamp round trip with the lab TSA (sequential)', Math.ceil(N / 4), () =>
        requestTimestamp(sha256(Buffer.from(String(i++))), [trusted], 10_000),
      ),
    ];
    console.log(`Proof of scan, node ${process.version}, BENCH_N=${N}`);
    console.table(rows);
  } finally {
    await tsa.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
