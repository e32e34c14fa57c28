import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';

/** The lab TSA's certificates: a root, an intermediate, and the time-stamping signer. */
export interface LabTsaPki {
  /** The trust anchor a verifier configures for this TSA. */
  rootPem: string;
  intermediatePem: string;
  signerPem: string;
  signerKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function rsaKeyPair(): forge.pki.rsa.KeyPair {
  // node:crypto generates the key (native, fast); node-forge builds the certificates.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f; // positive
  return bytes.toString('hex');
}

function certificate(opts: {
  subject: string;
  issuer: forge.pki.Certificate | null;
  keys: forge.pki.rsa.KeyPair;
  signingKey: forge.pki.rsa.PrivateKey;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  const now = Date.now();
  cert.publicKey = opts.keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + 3650 * DAY_MS);
  const subject = [
    { name: 'commonName', value: opts.subject },
    { name: 'organizationName', value: 'Perimeter lab' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : subject);
  cert.setExtensions(opts.extensions);
  cert.sign(opts.signingKey, forge.md.sha256.create());
  return cert;
}

/** A fresh lab TSA hierarchy (nothing outside the lab trusts it). */
export function createLabTsaPki(name = 'Perimeter Lab TSA'): LabTsaPki {
  const rootKeys = rsaKeyPair();
  const intermediateKeys = rsaKeyPair();
  const signerKeys = rsaKeyPair();
  const caExtensions = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  const root = certificate({
    subject: `${name} Root`,
    issuer: null,
    keys: rootKeys,
    signingKey: rootKeys.privateKey,
    extensions: caExtensions,
  });
  const intermediate = certificate({
    subject: `${name} CA`,
    issuer: root,
    keys: intermediateKeys,
    signingKey: rootKeys.privateKey,
    extensions: caExtensions,
  });
  const signer = certificate({
    subject: name,
    issuer: intermediate,
    keys: signerKeys,
    signingKey: intermediateKeys.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      // RFC 3161 section 2.3: the only extended key usage, and critical.
      { name: 'extKeyUsage', timeStamping: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return {
    rootPem: forge.pki.certificateToPem(root),
    intermediatePem: forge.pki.certificateToPem(intermediate),
    signerPem: forge.pki.certificateToPem(signer),
    signerKeyPem: forge.pki.privateKeyToPem(signerKeys.privateKey),
  };
}

const PKI_FILES = {
  rootPem: 'root.pem',
  intermediatePem: 'intermediate.pem',
  signerPem: 'signer.pem',
  signerKeyPem: 'signer.key',
} as const satisfies Record<keyof LabTsaPki, string>;

/**
 * The embedded stack's lab TSA keeps its hierarchy in `dir`, so tokens issued before a restart
 * still chain to the same root.
 */
export async function loadOrCreateLabTsaPki(dir: string): Promise<LabTsaPki> {
  const entries = Object.entries(PKI_FILES) as Array<[keyof LabTsaPki, string]>;
  const read = await Promise.all(
    entries.map(([, file]) => readFile(path.join(dir, file), 'utf8').catch(() => null)),
  );
  if (read.every((x) => x !== null)) {
    return Object.fromEntries(entries.map(([key], i) => [key, read[i]])) as unknown as LabTsaPki;
  }
  const pki = createLabTsaPki();
  await mkdir(dir, { recursive: true });
  for (const [key, file] of entries) {
    await writeFile(path.join(dir, file), pki[key], {
      mode: key === 'signerKeyPem' ? 0o600 : 0o644,
    });
  }
  return pki;
}
