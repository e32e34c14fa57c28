/** Thrown when a new password is too short or too long; the message is safe to show the user. */
export class WeakPassword extends Error {
  override readonly name = 'WeakPassword';
}

/** Thrown at start-up when auth primitives are given settings they cannot run safely with. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

/** Why a bearer token was refused: for logs and tests only, callers see one generic message. */
export type InvalidTokenReason =
  | 'malformed'
  | 'expired'
  | 'bad-signature'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'unsupported-algorithm'
  | 'jwks-unavailable'
  | 'invalid';

/** Thrown by every token verifier for every refused token; nothing else escapes a verifier. */
export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';

  constructor(
    readonly reason: InvalidTokenReason,
    options?: { cause?: unknown },
  ) {
    // One constant message: the reason stays a field so it cannot leak through `message`.
    super('invalid token', options);
  }
}
