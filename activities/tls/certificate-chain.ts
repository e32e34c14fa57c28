import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** DNS names and IP addresses from subjectAltName. */
  sans: string[];
  notBefore: string;
  notAfter: string;
  /** `rsa`, `ec`, `ed25519`, … */
  keyType: string;
  /** RSA modulus or EC field size, in bits. */
  keyBits: number | null;
  curve?: string;
  signatureAlgorithm: string;
  /** Signed with SHA-1 or MD5 (or MD2). */
  weakSignature: boolean;
  selfSigned: boolean;
  ca: boolean;
  sha256: string;
}

export interface ChainAnalysis {
  /** As the server sent them, leaf first. */
  certificates: CertificateInfo[];
  /** Subjects from the leaf to the trust anchor, as far as a path could be built. */
  path: string[];
  /** A path reaches a trust anchor (system roots plus the configured extra CAs). */
  chainsToTrustedRoot: boolean;
  /** The path stops at a certificate whose issuer is neither sent nor a trust anchor. */
  missingIntermediate: boolean;
  /** The leaf is signed by its own key. */
  selfSigned: boolean;
  /** The path ends in a self-signed certificate that is not a trust anchor. */
  untrustedRoot: boolean;
  hostnameMatches: boolean;
  /** Every sent certificate is followed by its issuer. */
  inOrder: boolean;
  expired: boolean;
  notYetValid: boolean;
  daysToExpiry: number;
  /** Certificates on the path (anchor excluded) signed with SHA-1 or MD5. */
  weakSignatures: string[];
  /** Certificates on the path with a key under 2048 (RSA) or 256 (EC) bits. */
  weakKeys: string[];
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
  secp224r1: 224,
  prime192v1: 192,
};

const stores = new Map<string, X509Certificate[]>();

/** System roots plus extra PEMs, parsed once per distinct set. */
function trustStore(extraCaPems: string[]): X509Certificate[] {
  const key = extraCaPems.join('\n');
  let store = stores.get(key);
  if (!store) {
    store = [];
    for (const pem of [...tls.rootCertificates, ...extraCaPems.flatMap(splitPem)]) {
      try {
        store.push(new X509Certificate(pem));
      } catch {
        // An unparsable root says nothing about the server: skip it.
      }
    }
    stores.set(key, store);
  }
  return store;
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Issuer equals subject and the signature verifies with its own key (key usage aside: leaves lack keyCertSign). */
function signsItself(x: X509Certificate): boolean {
  try {
    return x.subject === x.issuer && x.verify(x.publicKey);
  } catch {
    return false;
  }
}

function describe(x: X509Certificate): CertificateInfo {
  const details = x.publicKey.asymmetricKeyDetails ?? {};
  const keyType = x.publicKey.asymmetricKeyType ?? 'unknown';
  const curve = details.namedCurve;
  const keyBits =
    details.modulusLength ??
    (curve
      ? (CURVE_BITS[curve] ?? null)
      : keyType === 'ed25519'
        ? 256
        : keyType === 'ed448'
          ? 448
          : null);
  const signatureAlgorithm = x.signatureAlgorithm ?? x.signatureAlgorithmOid ?? 'unknown';
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    sans: (x.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s.startsWith('DNS:') || s.startsWith('IP Address:'))
      .map((s) => s.replace(/^(DNS|IP Address):/, '')),
    notBefore: x.validFromDate.toISOString(),
    notAfter: x.validToDate.toISOString(),
    keyType,
    keyBits,
    ...(curve ? { curve } : {}),
    signatureAlgorithm,
    weakSignature: /sha1|md5|md2/i.test(signatureAlgorithm),
    selfSigned: signsItself(x),
    ca: x.ca,
    sha256: x.fingerprint256,
  };
}

const weakKey = (c: CertificateInfo) =>
  c.keyBits !== null &&
  ((c.keyType.startsWith('rsa') && c.keyBits < 2048) || (c.keyType === 'ec' && c.keyBits < 256));

/**
 * Judges a certificate chain as sent by a server: builds the path to a trust anchor (sent
 * certificates, then the system roots and `extraCaPems`), checks names, dates, order,
 * signatures and keys. Path building is ours so that it works for chains read from any
 * handshake (even SSL 3.0), not only for ones the local TLS library would accept.
 */
export function analyseChain(
  ders: Buffer[],
  host: string,
  extraCaPems: string[] = [],
  now = new Date(),
): ChainAnalysis | null {
  const sent: X509Certificate[] = [];
  for (const der of ders) {
    try {
      sent.push(new X509Certificate(der));
    } catch {
      // Keep what parses; an unparsable certificate shows up as a broken chain.
    }
  }
  const leaf = sent[0];
  if (!leaf) return null;
  const store = trustStore(extraCaPems);
  const anchors = new Set(store.map((r) => r.fingerprint256));
  const path: X509Certificate[] = [leaf];
  let chainsToTrustedRoot = false;
  let missingIntermediate = false;
  let untrustedRoot = false;
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.has(current.fingerprint256)) {
      chainsToTrustedRoot = true;
      break;
    }
    const anchor = store.find((r) => issuedBy(current, r));
    if (anchor) {
      path.push(anchor);
      chainsToTrustedRoot = true;
      break;
    }
    if (signsItself(current)) {
      untrustedRoot = true;
      break;
    }
    const next = sent.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!next) {
      missingIntermediate = true;
      break;
    }
    path.push(next);
    current = next;
  }
  const infos = sent.map(describe);
  const leafInfo = infos[0]!;
  const onPath = path.filter((c) => !anchors.has(c.fingerprint256)).map(describe);
  const nowMs = now.getTime();
  const dated = path.filter((c) => !anchors.has(c.fingerprint256) || c === leaf);
  const hostnameMatches =
    isIP(host) !== 0 ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
  return {
    certificates: infos,
    path: path.map((c) => c.subject.replace(/\n/g, ', ')),
    chainsToTrustedRoot,
    missingIntermediate,
    selfSigned: leafInfo.selfSigned,
    untrustedRoot,
    hostnameMatches,
    inOrder: sent.every((c, i) => i === sent.length - 1 || c.checkIssued(sent[i + 1]!)),
    expired: dated.some((c) => c.validToDate.getTime() < nowMs),
    notYetValid: dated.some((c) => c.validFromDate.getTime() > nowMs),
    daysToExpiry: Math.floor((leaf.validToDate.getTime() - nowMs) / 86_400_000),
    weakSignatures: onPath.filter((c) => c.weakSignature).map((c) => c.subject),
    weakKeys: onPath.filter(weakKey).map((c) => c.subject),
  };
}
