/**
 * Deterministic synthetic aggregate reports for tests and the benchmark: a report of any size,
 * produced as a stream so the generator itself never holds it.
 */
export interface GeneratedReportOptions {
  orgName?: string;
  reportId: string;
  domain: string;
  records: number;
  /** Unix seconds; the report covers one day from here. */
  begin?: number;
  seed?: number;
  /** Distinct source addresses to draw from (fewer means more repeats). */
  sources?: number;
}

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export interface GeneratedTotals {
  records: number;
  messages: number;
  dmarcPass: number;
}

/** Yields the XML in chunks of about 64 KB; `totals` is filled in as it goes. */
export async function* generateReportXml(
  options: GeneratedReportOptions,
  totals: GeneratedTotals = { records: 0, messages: 0, dmarcPass: 0 },
): AsyncGenerator<Buffer> {
  const rand = prng(options.seed ?? 42);
  const begin = options.begin ?? 1792540800;
  const sources = options.sources ?? 5000;
  let out = `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>${options.orgName ?? 'bench.example'}</org_name>
    <email>dmarc@bench.example</email>
    <report_id>${options.reportId}</report_id>
    <date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range>
  </report_metadata>
  <policy_published><domain>${options.domain}</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>none</sp><pct>100</pct></policy_published>
`;
  for (let i = 0; i < options.records; i++) {
    const n = Math.floor(rand() * sources);
    const ip = `198.18.${(n >> 8) & 255}.${n & 255}`;
    const count = 1 + Math.floor(rand() * 20);
    const dkim = rand() < 0.8 ? 'pass' : 'fail';
    const spf = rand() < 0.7 ? 'pass' : 'fail';
    const pass = dkim === 'pass' || spf === 'pass';
    totals.records++;
    totals.messages += count;
    if (pass) totals.dmarcPass += count;
    out += `  <record>
    <row>
      <source_ip>${ip}</source_ip>
      <count>${count}</count>
      <policy_evaluated><disposition>${pass ? 'none' : 'quarantine'}</disposition><dkim>${dkim}</dkim><spf>${spf}</spf></policy_evaluated>
    </row>
    <identifiers><header_from>${options.domain}</header_from><envelope_from>${options.domain}</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>${options.domain}</domain><selector>s${n % 7}</selector><result>${dkim}</result></dkim>
      <spf><domain>${options.domain}</domain><scope>mfrom</scope><result>${spf}</result></spf>
    </auth_results>
  </record>
`;
    if (out.length >= 64 * 1024) {
      yield Buffer.from(out);
      out = '';
    }
  }
  yield Buffer.from(`${out}</feedback>\n`);
}
