/** Why a string was refused as a domain name; stable codes callers (API errors, CLI) can map. */
export type InvalidDomainNameReason =
  | 'empty'
  | 'too-long'
  | 'label-too-long'
  | 'empty-label'
  | 'invalid-character'
  | 'hyphen-position'
  | 'single-label'
  | 'ip-literal'
  | 'numeric-tld'
  | 'idna'
  | 'not-a-hostname';

/** Thrown by `validateDomainName`; the message names the offending label where there is one. */
export class InvalidDomainName extends Error {
  override readonly name = 'InvalidDomainName';

  constructor(
    readonly reason: InvalidDomainNameReason,
    message: string,
    /** The label at fault, when the problem is in one label. */
    readonly label?: string,
  ) {
    super(message);
  }
}
