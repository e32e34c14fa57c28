/**
 * Special-use and private-use names (RFC 6761, 6762, 7686, 8375, 9476, and ICANN's `.internal`):
 * never public DNS, so never a scan target of a deployment that refuses private targets.
 */
const SPECIAL_USE = [
  'localhost',
  'local',
  'invalid',
  'test',
  'example',
  'onion',
  'alt',
  'internal',
];
const SPECIAL_USE_SUFFIXES = ['home.arpa', 'arpa'];

/** The special-use suffix `asciiName` falls under, or null for a public-DNS name. */
export function specialUseSuffix(asciiName: string): string | null {
  const name = asciiName.toLowerCase().replace(/\.$/, '');
  for (const suffix of [...SPECIAL_USE_SUFFIXES, ...SPECIAL_USE]) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return suffix;
  }
  return null;
}
