import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TsaResponseRejected, type ProofFailure } from './proof.errors';

/**
 * RFC 3161 with pkijs: requests are built and replies, tokens and certificates parsed by the
 * library. The two things pkijs does not check — the ESSCertID(v2) signing-certificate attribute and
 * the signer's time-stamping key usage — are read here from the structures pkijs parsed.
 */

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const ID_DATA = '1.2.840.113549.1.7.1';

const HASH_BY_OID: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** A TSA this deployment trusts: tokens whose signer chains to one of its roots are its own. */
export interface TrustedTsa {
  name: string;
  roots: pkijs.Certificate[];
}

export interface TokenInfo {
  genTime: Date;
  /** TSTInfo serial number, hex. */
  serialNumber: string;
  policy: string;
  hashAlgorithm: string;
  /** The hashed message the TSA signed, hex. */
  imprint: string;
  nonce: string | null;
  /** Subject of the signing certificate (RFC 2253 style). */
  signer: string;
  /** The configured TSA whose roots the signer chains to; null when none does. */
  tsaName: string | null;
}

export interface TokenVerification {
  valid: boolean;
  failures: ProofFailure[];
  /** Present whenever the token could be read. */
  info: TokenInfo | null;
}

/** Every certificate in a PEM bundle, parsed by pkijs. */
export function certificatesFromPem(pem: string): pkijs.Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const der = new X509Certificate(block).raw;
    return pkijs.Certificate.fromBER(der);
  });
}

const hex = (view: ArrayBuffer | Uint8Array) => Buffer.from(view as ArrayBuffer).toString('hex');

function positiveIntegerBytes(length: number): Buffer {
  const bytes = randomBytes(length);
  // Positive, and minimal in DER: the first byte in 0x01..0x7f.
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

/** A TimeStampReq for a SHA-256 digest, with a fresh nonce and a request for the TSA's certificate. */
export function buildTimeStampRequest(digest: Buffer): { der: Buffer; nonce: string } {
  if (digest.length !== 32) throw new TypeError('expected a SHA-256 digest (32 bytes)');
  const nonce = positiveIntegerBytes(8);
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(digest).buffer }),
    }),
    nonce: new asn1js.Integer({ valueHex: new Uint8Array(nonce).buffer }),
    certReq: true,
  });
  return { der: Buffer.from(request.toSchema().toBER(false)), nonce: nonce.toString('hex') };
}

const stripZeros = (h: string) => h.replace(/^(00)+/, '');

const PKI_STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning'];
const FAIL_INFO: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

/**
 * Checks a TSA's reply to our request: status granted, a token whose imprint is our digest and
 * whose nonce is ours, a valid signature, and a signer chaining to one of the configured roots.
 * Returns the token (a CMS ContentInfo, DER) to store.
 */
export async function checkTimeStampResponse(
  der: Buffer,
  expected: { digest: Buffer; nonce: string; tsas: TrustedTsa[] },
): Promise<{ token: Buffer; info: TokenInfo }> {
  let response: pkijs.TimeStampResp;
  try {
    response = pkijs.TimeStampResp.fromBER(new Uint8Array(der));
  } catch (err) {
    throw new TsaResponseRejected(`not a TimeStampResp: ${(err as Error).message}`);
  }
  const status = response.status.status;
  if (status !== 0 && status !== 1) {
    const text = response.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    const failBits = response.status.failInfo
      ? Object.entries(FAIL_INFO)
          .filter(([bit]) => {
            const bytes = new Uint8Array(response.status.failInfo!.valueBlock.valueHexView);
            const i = Number(bit);
            return ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
          })
          .map(([, name]) => name)
      : [];
    throw new TsaResponseRejected(
      `TSA refused the request: ${PKI_STATUS[status] ?? `status ${status}`}` +
        (failBits.length ? ` (${failBits.join(', ')})` : '') +
        (text ? `: ${text}` : ''),
    );
  }
  if (!response.timeStampToken) throw new TsaResponseRejected('TSA granted but sent no token');
  const token = Buffer.from(response.timeStampToken.toSchema().toBER(false));
  const verification = await verifyTimeStampToken(token, expected);
  if (!verification.valid || !verification.info) {
    throw new TsaResponseRejected(
      `TSA token refused: ${verification.failures.map((f) => f.message).join('; ')}`,
      verification.failures,
    );
  }
  if (stripZeros(verification.info.nonce ?? '') !== stripZeros(expected.nonce)) {
    throw new TsaResponseRejected('TSA token carries a different nonce (a replayed answer?)');
  }
  return { token, info: verification.info };
}

function readTstInfo(token: Buffer): { signed: pkijs.SignedData; tst: pkijs.TSTInfo } {
  const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(token));
  if (contentInfo.contentType !== OID.signedData) throw new Error('not CMS SignedData');
  const signed = new pkijs.SignedData({ schema: contentInfo.content });
  if (signed.encapContentInfo.eContentType !== OID.tstInfo)
    throw new Error('content is not TSTInfo');
  const eContent = signed.encapContentInfo.eContent;
  if (!eContent) throw new Error('no TSTInfo inside');
  const tst = pkijs.TSTInfo.fromBER(eContent.getValue());
  if (signed.signerInfos.length !== 1) throw new Error('expected exactly one signer');
  return { signed, tst };
}

function subjectOf(cert: pkijs.Certificate): string {
  return new X509Certificate(Buffer.from(cert.toSchema().toBER(false))).subject.replace(
    /\n/g,
    ', ',
  );
}

/** ESSCertID(v2) must name the signing certificate (RFC 3161 2.4.2, RFC 5816). */
function checkSigningCertificateAttribute(
  signerInfo: pkijs.SignerInfo,
  signer: pkijs.Certificate,
): string | null {
  const attrs = signerInfo.signedAttrs?.attributes ?? [];
  const v2 = attrs.find((a) => a.type === OID.signingCertificateV2);
  const v1 = attrs.find((a) => a.type === OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return 'no signing-certificate (ESSCertID) attribute';
  const certs = (attr.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
  if (!first) return 'empty signing-certificate attribute';
  const parts = first.valueBlock.value;
  let algorithm = v2 ? 'sha256' : 'sha1';
  let certHash = parts[0];
  if (v2 && parts[0] instanceof asn1js.Sequence) {
    const oid = (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
    algorithm = HASH_BY_OID[oid] ?? oid;
    certHash = parts[1];
  }
  if (!(certHash instanceof asn1js.OctetString)) return 'malformed ESSCertID';
  if (!['sha1', 'sha256', 'sha384', 'sha512'].includes(algorithm)) {
    return `unsupported ESSCertID hash ${algorithm}`;
  }
  const actual = createHash(algorithm)
    .update(Buffer.from(signer.toSchema().toBER(false)))
    .digest('hex');
  return actual === hex(certHash.valueBlock.valueHexView)
    ? null
    : 'ESSCertID does not match the signing certificate';
}

function checkTimeStampingUsage(signer: pkijs.Certificate): string | null {
  const eku = signer.extensions?.find((e) => e.extnID === OID.extKeyUsage);
  const purposes = (eku?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  if (!eku || !purposes.includes(OID.timeStamping)) {
    return 'signer certificate is not for time-stamping (extended key usage)';
  }
  if (!eku.critical) return 'time-stamping extended key usage is not critical';
  return null;
}

/**
 * Verifies a stored token against the digest of the result it should prove. Lists every failure,
 * each with a code a caller can act on.
 */
export async function verifyTimeStampToken(
  token: Buffer,
  expected: { digest: Buffer; tsas: TrustedTsa[] },
): Promise<TokenVerification> {
  let signed: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  try {
    ({ signed, tst } = readTstInfo(token));
  } catch (err) {
    return {
      valid: false,
      failures: [
        { code: 'MALFORMED_TOKEN', message: `unreadable token: ${(err as Error).message}` },
      ],
      info: null,
    };
  }
  const failures: ProofFailure[] = [];
  const imprintAlg = tst.messageImprint.hashAlgorithm.algorithmId;
  const imprint = hex(tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  const hashAlgorithm = HASH_BY_OID[imprintAlg] ?? imprintAlg;
  if (imprintAlg !== OID.sha256) {
    failures.push({
      code: 'MALFORMED_TOKEN',
      message: `token imprint uses ${hashAlgorithm}, results are hashed with sha256`,
    });
  } else if (imprint !== expected.digest.toString('hex')) {
    failures.push({
      code: 'ALTERED_RESULT',
      message: `the result hashes to ${expected.digest.toString('hex')}, the token was issued for ${imprint}`,
    });
  }

  let signerCert: pkijs.Certificate | null = null;
  try {
    // pkijs's TSTInfo branch re-hashes the original data, which a verifier of digests does not
    // have; the imprint is compared above, so verify the CMS signature alone on a copy.
    const signatureOnly = readTstInfo(token).signed; // a fresh parse: re-encoding could differ
    signatureOnly.encapContentInfo.eContentType = ID_DATA;
    const result = await signatureOnly.verify({ signer: 0, checkChain: false, extendedMode: true });
    signerCert = result.signerCertificate ?? null;
    if (!result.signatureVerified) {
      failures.push({ code: 'BAD_SIGNATURE', message: 'the TSA signature does not verify' });
    }
  } catch (err) {
    const e = err as pkijs.SignedDataVerifyError;
    signerCert = e.signerCertificate ?? null;
    const noCert = e.code === 2 || e.code === 3;
    failures.push({
      code: noCert ? 'UNKNOWN_TSA' : 'BAD_SIGNATURE',
      message: noCert
        ? `the token does not carry its signing certificate (${e.message})`
        : `the TSA signature does not verify: ${e.message}`,
    });
  }

  let tsaName: string | null = null;
  if (signerCert) {
    for (const problem of [
      checkTimeStampingUsage(signerCert),
      checkSigningCertificateAttribute(signed.signerInfos[0]!, signerCert),
    ]) {
      if (problem) failures.push({ code: 'BAD_SIGNER_CERTIFICATE', message: problem });
    }
    const others = (signed.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c !== signerCert,
    );
    for (const tsa of expected.tsas) {
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: tsa.roots,
        certs: [...others, signerCert],
        checkDate: tst.genTime,
      });
      const chain = await engine.verify().catch(() => ({ result: false }));
      if (chain.result) {
        tsaName = tsa.name;
        break;
      }
    }
    if (!tsaName) {
      failures.push({
        code: 'UNKNOWN_TSA',
        message: `the signer "${subjectOf(signerCert)}" does not chain to the roots of any configured TSA (${
          expected.tsas.map((t) => t.name).join(', ') || 'none configured'
        })`,
      });
    }
  }

  return {
    valid: failures.length === 0,
    failures,
    info: {
      genTime: tst.genTime,
      serialNumber: hex(tst.serialNumber.valueBlock.valueHexView),
      policy: tst.policy,
      hashAlgorithm,
      imprint,
      nonce: tst.nonce ? hex(tst.nonce.valueBlock.valueHexView) : null,
      signer: signerCert ? subjectOf(signerCert) : '',
      tsaName,
    },
  };
}
