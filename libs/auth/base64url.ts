const ALPHABET = /^[A-Za-z0-9_-]+$/;

/** Strict base64url: only the alphabet, and only the canonical encoding of its bytes. */
export function decodeBase64urlStrict(s: string): Buffer | undefined {
  if (!ALPHABET.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  // Node's decoder is lenient (ignores stray bits); re-encoding catches non-canonical forms.
  return bytes.toString('base64url') === s ? bytes : undefined;
}
