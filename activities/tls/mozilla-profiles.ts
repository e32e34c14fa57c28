import type { ProtocolVersion } from './client-hello';
import type { ChainAnalysis } from './certificate-chain';

/** Mozilla's server-side TLS configurations (version 5.7), in IANA suite names. */
export const TlsProfiles = ['modern', 'intermediate', 'old'] as const;
export type TlsProfile = (typeof TlsProfiles)[number];

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const INTERMEDIATE = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const OLD = [
  ...INTERMEDIATE,
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA256',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
];

interface ProfileSpec {
  protocols: ProtocolVersion[];
  suites: string[];
  /** Minimum DHE prime size. */
  dhBits: number;
  /** Key types and sizes the certificate may have. */
  certificate: (c: { keyType: string; keyBits: number | null }) => boolean;
}

const SPECS: Record<TlsProfile, ProfileSpec> = {
  modern: {
    protocols: ['tls1.3'],
    suites: TLS13,
    dhBits: Infinity,
    certificate: (c) => c.keyType === 'ec' && (c.keyBits ?? 0) >= 256,
  },
  intermediate: {
    protocols: ['tls1.2', 'tls1.3'],
    suites: [...TLS13, ...INTERMEDIATE],
    dhBits: 2048,
    certificate: (c) =>
      (c.keyType === 'ec' && (c.keyBits ?? 0) >= 256) ||
      (c.keyType.startsWith('rsa') && (c.keyBits ?? 0) >= 2048),
  },
  old: {
    protocols: ['tls1.0', 'tls1.1', 'tls1.2', 'tls1.3'],
    suites: [...TLS13, ...OLD],
    dhBits: 1024,
    certificate: (c) => c.keyType.startsWith('rsa') && (c.keyBits ?? 0) >= 2048,
  },
};

export interface ProfileVerdict {
  profile: TlsProfile;
  compliant: boolean;
  /** What differs from the profile, one sentence each. */
  deviations: string[];
}

export interface ProfileInput {
  protocols: ProtocolVersion[];
  suites: string[];
  dhBits: number | null;
  certificate: ChainAnalysis | null;
}

/** How a server's configuration differs from a Mozilla profile. */
export function checkProfile(profile: TlsProfile, s: ProfileInput): ProfileVerdict {
  const spec = SPECS[profile];
  const deviations: string[] = [];
  const extraProtocols = s.protocols.filter((p) => !spec.protocols.includes(p));
  if (extraProtocols.length) deviations.push(`accepts ${extraProtocols.join(', ')}`);
  if (!s.protocols.some((p) => spec.protocols.includes(p))) {
    deviations.push(`accepts none of ${spec.protocols.join(', ')}`);
  }
  const extraSuites = s.suites.filter((x) => !spec.suites.includes(x));
  if (extraSuites.length)
    deviations.push(`accepts suites outside the profile: ${extraSuites.join(', ')}`);
  if (s.dhBits !== null && s.dhBits < spec.dhBits) {
    deviations.push(
      `uses ${s.dhBits}-bit DHE parameters (profile: ${spec.dhBits === Infinity ? 'no DHE' : `at least ${spec.dhBits}`})`,
    );
  }
  const leaf = s.certificate?.certificates[0];
  if (leaf && !spec.certificate(leaf)) {
    deviations.push(`certificate key is ${leaf.keyType} ${leaf.keyBits ?? '?'} bits`);
  }
  if (s.certificate && s.certificate.weakSignatures.length) {
    deviations.push('certificate chain signed with SHA-1 or MD5');
  }
  return { profile, compliant: deviations.length === 0, deviations };
}
