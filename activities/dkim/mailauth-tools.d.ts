// mailauth ships no types for its helper module; this declares the one function used here.
declare module 'mailauth/lib/tools' {
  /**
   * Reads the key record at `name` through `resolver` and decodes its public key. Throws an
   * error with `code` EINVALIDVAL (no or malformed p=), EINVALIDVER (v= not DKIM1),
   * EINVALIDTYPE (key type unknown or not the one k= names) or ESHORTKEY (RSA below
   * minBitLength).
   */
  export function getPublicKey(
    type: 'DKIM' | 'AS',
    name: string,
    minBitLength: number,
    resolver: (name: string, rrtype: 'TXT') => Promise<string[][]>,
  ): Promise<{ publicKey: string | Buffer; rr: string; modulusLength?: number }>;
}
