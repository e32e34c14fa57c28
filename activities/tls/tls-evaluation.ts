import type { Finding } from '../common/check-report';
import { analyseChain, type ChainAnalysis } from './certificate-chain';
import { CIPHER_SUITES, NAMED_GROUPS } from './cipher-suites';
import { ProtocolVersions, type ProtocolVersion } from './client-hello';
import {
  checkProfile,
  TlsProfiles,
  type ProfileVerdict,
  type TlsProfile,
} from './mozilla-profiles';
import type { Connector } from './probe';
import { completeHandshake, type HandshakeResult } from './tls-handshake';
import { probeTls, type TlsProbeResult } from './tls-prober';

/** How TLS scans run; every field has a default. */
export interface TlsScanOptions {
  /** Port for the web TLS scan (443); the lab sets its own. */
  port?: number;
  /** Port of SMTP servers (25); the lab sets its own. */
  smtpPort?: number;
  /** Per handshake, connection included (5000 ms). */
  timeoutMs?: number;
  /** Handshakes at once per server (5, like sslyze). */
  concurrency?: number;
  /** Servers scanned at once by one scan (3). */
  hostConcurrency?: number;
  /** The Mozilla profile findings are graded against (intermediate). */
  profile?: TlsProfile;
  /** The name the SMTP client gives in EHLO. */
  ehloName?: string;
  /** Cancellation (the activity's): stops starting handshakes. */
  signal?: AbortSignal;
}

export const TLS_DEFAULTS = {
  port: 443,
  smtpPort: 25,
  timeoutMs: 5000,
  concurrency: 5,
  hostConcurrency: 3,
  profile: 'intermediate' as TlsProfile,
  ehloName: 'perimeter-scanner.invalid',
};

export interface TlsEndpoint {
  /** The name the certificate must match (or an IP address). */
  host: string;
  address: string;
  port: number;
  /** Server Name Indication sent; none for an IP address. */
  sni?: string;
  connect: Connector;
}

export interface TlsHostReport extends Omit<TlsProbeResult, 'certificates'> {
  host: string;
  address: string;
  port: number;
  sni?: string;
  handshake: Omit<HandshakeResult, 'chain'>;
  /** Where the chain came from: the prober's TLS ≤ 1.2 handshake, or the full TLS handshake. */
  certificateSource: 'handshake-message' | 'tls-client' | null;
  certificate: ChainAnalysis | null;
  profiles: ProfileVerdict[];
  guidelineProfile: TlsProfile;
}

/** Probes one TLS endpoint and judges its certificate; never throws for network trouble. */
export async function evaluateTlsEndpoint(
  endpoint: TlsEndpoint,
  opts: TlsScanOptions & { extraCaPems?: string[] } = {},
): Promise<TlsHostReport> {
  const timeoutMs = opts.timeoutMs ?? TLS_DEFAULTS.timeoutMs;
  const [probe, handshake] = await Promise.all([
    probeTls(
      { sni: endpoint.sni, connect: endpoint.connect },
      { timeoutMs, concurrency: opts.concurrency ?? TLS_DEFAULTS.concurrency, signal: opts.signal },
    ),
    completeHandshake(endpoint.connect, { sni: endpoint.sni, timeoutMs }),
  ]);
  const { certificates, ...rest } = probe;
  const ders = certificates.length ? certificates : handshake.chain;
  const certificate = analyseChain(ders, endpoint.host, opts.extraCaPems ?? []);
  const accepted = ProtocolVersions.filter((v) => probe.protocols[v] === 'accepted');
  const suites = Object.values(probe.ciphers).flatMap((c) => c.suites);
  const input = {
    protocols: accepted,
    suites: [...new Set(suites)],
    dhBits: probe.dhBits,
    certificate,
  };
  const { chain: _chain, ...handshakeSummary } = handshake;
  return {
    host: endpoint.host,
    address: endpoint.address,
    port: endpoint.port,
    ...(endpoint.sni ? { sni: endpoint.sni } : {}),
    ...rest,
    ocspStapling:
      rest.ocspStapling === true || handshake.ocspStapled
        ? true
        : (rest.ocspStapling ?? (handshake.completed ? false : null)),
    handshake: handshakeSummary,
    handshakes: probe.handshakes + 1,
    certificateSource: certificates.length
      ? 'handshake-message'
      : ders.length
        ? 'tls-client'
        : null,
    certificate,
    // Only a server that speaks some TLS has a configuration to compare.
    profiles: accepted.length ? TlsProfiles.map((p) => checkProfile(p, input)) : [],
    guidelineProfile: opts.profile ?? TLS_DEFAULTS.profile,
  };
}

const VERSION_LABEL: Record<ProtocolVersion, string> = {
  ssl2: 'SSL 2.0',
  ssl3: 'SSL 3.0',
  'tls1.0': 'TLS 1.0',
  'tls1.1': 'TLS 1.1',
  'tls1.2': 'TLS 1.2',
  'tls1.3': 'TLS 1.3',
};

const SSL2_FLAGS: Record<string, Array<'export' | 'rc4' | 'des' | 'tripleDes'>> = {
  SSL_CK_RC4_128_WITH_MD5: ['rc4'],
  SSL_CK_RC4_128_EXPORT40_WITH_MD5: ['rc4', 'export'],
  SSL_CK_RC2_128_CBC_WITH_MD5: ['des'],
  SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5: ['des', 'export'],
  SSL_CK_IDEA_128_CBC_WITH_MD5: ['des'],
  SSL_CK_DES_64_CBC_WITH_MD5: ['des'],
  SSL_CK_DES_192_EDE3_CBC_WITH_MD5: ['tripleDes'],
};

/**
 * Findings for one endpoint: `tls.*` for the configuration, `certificate.*` for the chain. What
 * could not be determined is left out (the report's `undetermined` says what).
 */
export function tlsEndpointFindings(r: TlsHostReport): Finding[] {
  const where = `${r.host}:${r.port}`;
  const evidence = (extra: Record<string, unknown> = {}) => ({
    host: r.host,
    port: r.port,
    ...extra,
  });
  const findings: Finding[] = [];
  const add = (
    id: string,
    severity: Finding['severity'],
    message: string,
    extra?: Record<string, unknown>,
  ) => findings.push({ id, severity, message, evidence: evidence(extra) });

  if (!r.reachable) {
    if (r.connectError?.code === 'ECONNREFUSED') {
      add('tls.no-service', 'info', `Nothing listens on ${where}: the connection was refused.`, {
        error: r.connectError,
      });
    }
    return findings;
  }
  const accepted = ProtocolVersions.filter((v) => r.protocols[v] === 'accepted');
  const unknown = ProtocolVersions.filter((v) => r.protocols[v] === 'unknown');
  if (accepted.length === 0) {
    if (unknown.length === 0)
      add('tls.no-tls', 'fail', `${where} answers but accepts no SSL or TLS version.`);
    return findings;
  }

  // Protocols.
  const severityOf: Partial<Record<ProtocolVersion, [string, Finding['severity']]>> = {
    ssl2: ['tls.ssl2-supported', 'fail'],
    ssl3: ['tls.ssl3-supported', 'fail'],
    'tls1.0': ['tls.tls10-supported', 'warning'],
    'tls1.1': ['tls.tls11-supported', 'warning'],
  };
  for (const v of accepted) {
    const s = severityOf[v];
    if (s) add(s[0], s[1], `${where} accepts ${VERSION_LABEL[v]}.`, { protocol: v });
  }
  const old = accepted.filter((v) => severityOf[v]);
  const modern = accepted.filter((v) => v === 'tls1.2' || v === 'tls1.3');
  if (modern.length === 0) {
    add(
      'tls.no-modern-protocol',
      'fail',
      `${where} accepts neither TLS 1.2 nor TLS 1.3 (only ${accepted.map((v) => VERSION_LABEL[v]).join(', ')}).`,
    );
  } else if (old.length === 0 && !unknown.some((v) => severityOf[v])) {
    add(
      'tls.protocols-modern',
      'pass',
      `${where} accepts only ${modern.map((v) => VERSION_LABEL[v]).join(' and ')}.`,
      { protocols: modern },
    );
  }
  if (r.protocols['tls1.3'] === 'refused')
    add('tls.tls13-missing', 'info', `${where} does not accept TLS 1.3.`);

  // Suites.
  const suites = [...new Set(Object.values(r.ciphers).flatMap((c) => c.suites))];
  const known = suites
    .map((n) => CIPHER_SUITES.find((s) => s.name === n))
    .filter((s) => s !== undefined);
  const flagged = (flag: 'nullCipher' | 'export' | 'anonymous' | 'rc4' | 'des' | 'tripleDes') => [
    ...known.filter((s) => s[flag]).map((s) => s.name),
    ...r.ssl2Ciphers.filter((c) => (SSL2_FLAGS[c] ?? []).some((f) => f === flag)),
  ];
  type Flag = 'nullCipher' | 'export' | 'anonymous' | 'rc4' | 'des' | 'tripleDes';
  const weak: Array<[Flag, string, Finding['severity'], string]> = [
    ['nullCipher', 'tls.cipher-null', 'fail', 'NULL (unencrypted)'],
    ['export', 'tls.cipher-export', 'fail', 'EXPORT'],
    ['anonymous', 'tls.cipher-anonymous', 'fail', 'anonymous'],
    ['rc4', 'tls.cipher-rc4', 'fail', 'RC4'],
    ['des', 'tls.cipher-des', 'fail', 'DES/RC2/IDEA'],
    ['tripleDes', 'tls.cipher-3des', 'warning', '3DES'],
  ];
  for (const [flag, id, severity, label] of weak) {
    const names = flagged(flag);
    if (names.length)
      add(id, severity, `${where} accepts ${label} suites: ${names.join(', ')}.`, {
        suites: names,
      });
  }
  const tls12 = r.ciphers['tls1.2']?.suites ?? [];
  if (tls12.length > 0 && tls12.every((n) => !CIPHER_SUITES.find((s) => s.name === n)?.aead)) {
    add(
      'tls.cbc-only',
      'warning',
      `${where} offers only CBC suites for TLS 1.2: ${tls12.join(', ')}.`,
      { suites: tls12 },
    );
  }
  const withoutFs = known.filter((s) => !s.forwardSecrecy && !s.anonymous).map((s) => s.name);
  const withFs = known.filter((s) => s.forwardSecrecy);
  if (suites.length > 0 || r.ssl2Ciphers.length > 0) {
    if (withoutFs.length === 0 && r.ssl2Ciphers.length === 0 && withFs.length > 0) {
      add('tls.forward-secrecy', 'pass', `Every suite ${where} accepts has forward secrecy.`);
    } else if (withFs.length === 0) {
      add('tls.forward-secrecy-missing', 'fail', `No suite ${where} accepts has forward secrecy.`, {
        suites: withoutFs,
      });
    } else {
      add(
        'tls.forward-secrecy-partial',
        'warning',
        `${where} accepts suites without forward secrecy: ${withoutFs.join(', ')}.`,
        { suites: withoutFs },
      );
    }
  }
  const clientOrder = Object.entries(r.ciphers)
    .filter(([, c]) => c.serverPreference === false)
    .map(([v]) => v);
  if (clientOrder.length) {
    add(
      'tls.no-server-preference',
      'info',
      `${where} lets the client choose the suite (${clientOrder.map((v) => VERSION_LABEL[v as ProtocolVersion]).join(', ')}).`,
      { protocols: clientOrder },
    );
  }

  // Extensions and key exchange.
  if (r.compression === true)
    add('tls.compression', 'fail', `${where} accepts TLS compression (DEFLATE).`);
  if (r.secureRenegotiation === false)
    add(
      'tls.insecure-renegotiation',
      'fail',
      `${where} does not support secure renegotiation (RFC 5746).`,
    );
  if (r.fallbackScsv === false)
    add(
      'tls.no-fallback-scsv',
      'warning',
      `${where} accepts a downgraded handshake that signals TLS_FALLBACK_SCSV.`,
    );
  if (r.ocspStapling === false)
    add('tls.ocsp-stapling-missing', 'info', `${where} does not staple an OCSP response.`);
  if (r.extendedMasterSecret === false)
    add(
      'tls.no-extended-master-secret',
      'warning',
      `${where} does not support the extended master secret (RFC 7627).`,
    );
  const weakGroups = r.groups.filter((g) => {
    const d = Object.values(NAMED_GROUPS).find((x) => x.name === g);
    return d && (d.ec ? d.bits < 256 : d.bits < 2048);
  });
  if (weakGroups.length)
    add('tls.weak-groups', 'warning', `${where} accepts weak groups: ${weakGroups.join(', ')}.`, {
      groups: weakGroups,
    });
  if (r.dhBits !== null && r.dhBits < 2048)
    add('tls.weak-dh', 'warning', `${where} uses ${r.dhBits}-bit DHE parameters.`, {
      dhBits: r.dhBits,
    });

  const verdict = r.profiles.find((p) => p.profile === r.guidelineProfile);
  if (verdict?.compliant) {
    add('tls.profile-compliant', 'pass', `${where} meets the Mozilla ${verdict.profile} profile.`, {
      profile: verdict.profile,
    });
  } else if (verdict) {
    add(
      'tls.profile-deviations',
      'warning',
      `${where} differs from the Mozilla ${verdict.profile} profile: ${verdict.deviations.join('; ')}.`,
      { profile: verdict.profile, deviations: verdict.deviations },
    );
  }

  findings.push(...certificateFindings(r, where, evidence));
  return findings;
}

function certificateFindings(
  r: TlsHostReport,
  where: string,
  evidence: (extra?: Record<string, unknown>) => Record<string, unknown>,
): Finding[] {
  const c = r.certificate;
  const out: Finding[] = [];
  const add = (
    id: string,
    severity: Finding['severity'],
    message: string,
    extra?: Record<string, unknown>,
  ) => out.push({ id, severity, message, evidence: evidence(extra) });
  if (!c) {
    if (r.handshake.completed || r.certificateSource === null) {
      add('certificate.missing', 'fail', `${where} presented no certificate.`);
    }
    return out;
  }
  const leaf = c.certificates[0]!;
  const subject = {
    subject: leaf.subject,
    issuer: leaf.issuer,
    notAfter: leaf.notAfter,
    sans: leaf.sans,
  };
  if (c.expired)
    add(
      'certificate.expired',
      'fail',
      `The certificate of ${where} expired (notAfter ${leaf.notAfter}).`,
      subject,
    );
  else if (c.daysToExpiry < 30)
    add(
      'certificate.expires-soon',
      'warning',
      `The certificate of ${where} expires in ${c.daysToExpiry} day(s).`,
      subject,
    );
  if (c.notYetValid)
    add(
      'certificate.not-yet-valid',
      'fail',
      `The certificate of ${where} is not valid yet (notBefore ${leaf.notBefore}).`,
      subject,
    );
  if (c.selfSigned)
    add(
      'certificate.self-signed',
      'fail',
      `The certificate of ${where} is self-signed (${leaf.subject}).`,
      subject,
    );
  else if (c.untrustedRoot)
    add(
      'certificate.untrusted',
      'fail',
      `The chain of ${where} ends at an untrusted root (${c.path.at(-1)}).`,
      { path: c.path },
    );
  else if (c.missingIntermediate)
    add(
      'certificate.missing-intermediate',
      'fail',
      `${where} does not send the issuer of "${c.path.at(-1)}": the intermediate certificate is missing.`,
      { path: c.path },
    );
  if (!c.hostnameMatches)
    add(
      'certificate.hostname-mismatch',
      'fail',
      `The certificate of ${where} does not name ${r.host} (it names ${leaf.sans.join(', ') || leaf.subject}).`,
      subject,
    );
  if (!c.inOrder)
    add('certificate.chain-order', 'warning', `${where} sends its certificates out of order.`, {
      sent: c.certificates.map((x) => x.subject),
    });
  if (c.weakSignatures.length)
    add(
      'certificate.weak-signature',
      'fail',
      `${where}: certificate(s) signed with SHA-1 or MD5: ${c.weakSignatures.join('; ')}.`,
      { certificates: c.weakSignatures },
    );
  if (c.weakKeys.length)
    add(
      'certificate.weak-key',
      'fail',
      `${where}: certificate(s) with a weak key: ${c.weakKeys.join('; ')}.`,
      { certificates: c.weakKeys },
    );
  if (c.chainsToTrustedRoot && c.hostnameMatches && !c.expired && !c.notYetValid) {
    add(
      'certificate.valid',
      'pass',
      `The certificate of ${where} is valid: trusted chain, names ${r.host}, expires in ${c.daysToExpiry} days.`,
      subject,
    );
  }
  return out;
}
