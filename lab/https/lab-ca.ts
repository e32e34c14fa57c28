import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import forge from 'node-forge';

export interface IssueOptions {
  /** Valid from two years ago until yesterday. */
  expired?: boolean;
  /** Signed by its own key instead of the lab CA. */
  selfSigned?: boolean;
  /** Validity dates other than "yesterday until a year from now" (TLS postures). */
  notBefore?: Date;
  notAfter?: Date;
  /** Signed with SHA-1 instead of SHA-256 (a weak-signature posture). */
  sha1?: boolean;
  /** An RSA key of this size of its own instead of the shared 2048-bit leaf key. */
  keyBits?: number;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface LabCa {
  /** The lab root: what scanners add to their trust store (`https.extraCaPems`). */
  caPem: string;
  issue(hostnames: string[], opts?: IssueOptions): IssuedCertificate;
  /**
   * A leaf signed by the lab's intermediate CA (itself signed by the root): a server must send
   * `intermediatePem` after the leaf for clients to build the chain.
   */
  issueViaIntermediate(hostnames: string[]): IssuedCertificate & { intermediatePem: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

// Key generation is the slow part: one CA key and one leaf key per process, made with node:crypto
// (native, fast) and handed to node-forge for the certificates.
let cachedKeys: { ca: forge.pki.rsa.KeyPair; leaf: forge.pki.rsa.KeyPair } | undefined;
let cachedCa: LabCa | undefined;

/**
 * Signs with node:crypto (native; forge's JavaScript RSA takes tens of milliseconds per
 * certificate, which the many TLS postures would pay at every lab start). forge builds the
 * certificate, node:crypto signs its TBS bytes.
 */
function signNative(cert: forge.pki.Certificate, key: forge.pki.PrivateKey, hash = 'sha256'): void {
  const oid =
    hash === 'sha1'
      ? forge.pki.oids.sha1WithRSAEncryption!
      : forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  // getTBSCertificate exists in node-forge but not in its type definitions.
  const pki = forge.pki as unknown as {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const tbs = forge.asn1.toDer(pki.getTBSCertificate(cert)).getBytes();
  let native = nativeKeys.get(key);
  if (!native) {
    native = createPrivateKey(forge.pki.privateKeyToPem(key));
    nativeKeys.set(key, native);
  }
  cert.signature = sign(hash, Buffer.from(tbs, 'binary'), native).toString('binary');
}
const nativeKeys = new WeakMap<forge.pki.PrivateKey, KeyObject>();

function rsaKeyPair(bits = 2048): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function keys() {
  cachedKeys ??= { ca: rsaKeyPair(), leaf: rsaKeyPair() };
  return cachedKeys;
}

function serial(): string {
  // Positive: the top bit clear.
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

/**
 * The lab certificate authority (one per process; the same CA is returned on every call, so
 * several lab servers in one test process share a trust anchor).
 */
export function createLabCa(): LabCa {
  if (cachedCa) return cachedCa;
  const { ca: caKeys, leaf: leafKeys } = keys();
  const now = Date.now();
  const caAttrs = [
    { name: 'commonName', value: 'Perimeter Lab CA' },
    { name: 'organizationName', value: 'Perimeter lab' },
  ];
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now - DAY_MS);
  ca.validity.notAfter = new Date(now + 3650 * DAY_MS);
  ca.setSubject(caAttrs);
  ca.setIssuer(caAttrs);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNative(ca, caKeys.privateKey);
  const caPem = forge.pki.certificateToPem(ca);
  const keyPem = forge.pki.privateKeyToPem(leafKeys.privateKey);

  const issue = (hostnames: string[], opts: IssueOptions = {}): IssuedCertificate => {
    if (hostnames.length === 0) throw new Error('a certificate needs at least one hostname');
    const cert = forge.pki.createCertificate();
    const own = opts.keyBits ? rsaKeyPair(opts.keyBits) : undefined;
    const subjectKeys = own ?? leafKeys;
    cert.publicKey = subjectKeys.publicKey;
    cert.serialNumber = serial();
    cert.validity.notBefore =
      opts.notBefore ?? new Date(opts.expired ? now - 730 * DAY_MS : now - DAY_MS);
    cert.validity.notAfter =
      opts.notAfter ?? new Date(opts.expired ? now - DAY_MS : now + 365 * DAY_MS);
    const subject = [{ name: 'commonName', value: hostnames[0]! }];
    cert.setSubject(subject);
    cert.setIssuer(opts.selfSigned ? subject : caAttrs);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hostnames.map((value) => ({ type: 2, value })) },
    ]);
    signNative(
      cert,
      opts.selfSigned ? subjectKeys.privateKey : caKeys.privateKey,
      opts.sha1 ? 'sha1' : 'sha256',
    );
    return {
      certPem: forge.pki.certificateToPem(cert),
      keyPem: own ? forge.pki.privateKeyToPem(own.privateKey) : keyPem,
    };
  };

  let intermediate: { cert: forge.pki.Certificate; pem: string } | undefined;
  const intermediateAttrs = [
    { name: 'commonName', value: 'Perimeter Lab Intermediate CA' },
    { name: 'organizationName', value: 'Perimeter lab' },
  ];
  const issueViaIntermediate = (hostnames: string[]) => {
    if (hostnames.length === 0) throw new Error('a certificate needs at least one hostname');
    if (!intermediate) {
      // The intermediate reuses the CA key pair: only the names and the signature differ.
      const cert = forge.pki.createCertificate();
      cert.publicKey = caKeys.publicKey;
      cert.serialNumber = serial();
      cert.validity.notBefore = new Date(now - DAY_MS);
      cert.validity.notAfter = new Date(now + 1825 * DAY_MS);
      cert.setSubject(intermediateAttrs);
      cert.setIssuer(caAttrs);
      cert.setExtensions([
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ]);
      signNative(cert, caKeys.privateKey);
      intermediate = { cert, pem: forge.pki.certificateToPem(cert) };
    }
    const cert = forge.pki.createCertificate();
    cert.publicKey = leafKeys.publicKey;
    cert.serialNumber = serial();
    cert.validity.notBefore = new Date(now - DAY_MS);
    cert.validity.notAfter = new Date(now + 365 * DAY_MS);
    cert.setSubject([{ name: 'commonName', value: hostnames[0]! }]);
    cert.setIssuer(intermediateAttrs);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hostnames.map((value) => ({ type: 2, value })) },
    ]);
    signNative(cert, caKeys.privateKey);
    return { certPem: forge.pki.certificateToPem(cert), keyPem, intermediatePem: intermediate.pem };
  };

  cachedCa = { caPem, issue, issueViaIntermediate };
  return cachedCa;
}
