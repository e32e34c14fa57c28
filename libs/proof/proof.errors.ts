/** Why a token does not prove what it should; a caller (GraphQL, CLI) shows the code and message. */
export type ProofFailureCode =
  /** The stored result no longer hashes to the imprint the TSA signed. */
  | 'ALTERED_RESULT'
  /** The CMS signature over the TSTInfo does not verify, or the signed attributes are wrong. */
  | 'BAD_SIGNATURE'
  /** The signer's chain does not lead to any configured TSA's roots. */
  | 'UNKNOWN_TSA'
  /** The signer certificate is not a time-stamping certificate, or ESSCertID(v2) does not name it. */
  | 'BAD_SIGNER_CERTIFICATE'
  /** Not an RFC 3161 token at all, or one this verifier cannot read. */
  | 'MALFORMED_TOKEN';

export interface ProofFailure {
  code: ProofFailureCode;
  message: string;
}

/** The TSA could not be reached or answered something unusable: worth retrying later. */
export class TsaUnavailable extends Error {
  override readonly name = 'TsaUnavailable';
}

/** The TSA answered, but its answer is refused (rejected request, wrong imprint or nonce, …). */
export class TsaResponseRejected extends Error {
  override readonly name = 'TsaResponseRejected';
  constructor(
    message: string,
    readonly failures: ProofFailure[] = [],
  ) {
    super(message);
  }
}
