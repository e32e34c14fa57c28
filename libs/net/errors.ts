/** An address the target guard would not let a scanner reach, with the range that decided it. */
export interface RefusedAddress {
  address: string;
  /** ipaddr.js range name, e.g. 'private', 'loopback', 'linkLocal'. */
  range: string;
}

// Enough to diagnose; a name with hundreds of records must not make a giant message.
const MAX_LISTED = 8;

/** Thrown when a scan target resolves only to addresses a scanner must not reach. */
export class TargetNotAllowed extends Error {
  override readonly name = 'TargetNotAllowed';

  constructor(
    readonly target: string,
    readonly refused: RefusedAddress[],
    options: {
      /** The target is an IP literal rather than a name that resolved. */
      literal?: boolean;
      /** Setting ALLOW_PRIVATE_TARGETS would let at least one refused address through. */
      allowedWithPrivateTargets?: boolean;
    } = {},
  ) {
    const listed = refused.slice(0, MAX_LISTED).map((r) => `${r.address} ${r.range}`);
    if (refused.length > MAX_LISTED) listed.push(`and ${refused.length - MAX_LISTED} more`);
    const what = options.allowedWithPrivateTargets
      ? options.literal
        ? 'it is a non-public address'
        : 'it resolves only to non-public addresses'
      : options.literal
        ? 'it is an address no scan may target'
        : 'it resolves only to addresses no scan may target';
    const hint = options.allowedWithPrivateTargets
      ? '; set ALLOW_PRIVATE_TARGETS=true to allow'
      : '';
    super(`refusing to scan ${target}: ${what} (${listed.join(', ')})${hint}`);
  }
}

/** Thrown when a scan target has no A or AAAA record, so there is nothing to scan. */
export class TargetUnresolvable extends Error {
  override readonly name = 'TargetUnresolvable';

  constructor(readonly target: string) {
    super(`cannot scan ${target}: it has no A or AAAA record`);
  }
}

/** Thrown when a string given as an IP address is not one. */
export class InvalidIpAddress extends Error {
  override readonly name = 'InvalidIpAddress';

  constructor(
    readonly input: string,
    detail = '',
  ) {
    const shown = JSON.stringify(input.length > 64 ? `${input.slice(0, 61)}...` : input);
    super(`not an IP address: ${shown}${detail === '' ? '' : ` (${detail})`}`);
  }
}
