import { getPublicSuffix } from 'tldts';

/**
 * The public suffix of `name` (Public Suffix List, private section included), or the longest
 * of `extra` that `name` is at or below, whichever is longer. Names are lowercase, no final dot.
 */
export function publicSuffixOf(name: string, extra: readonly string[]): string {
  const fromList = getPublicSuffix(name, { allowPrivateDomains: true }) ?? '';
  let best = fromList;
  for (const suffix of extra) {
    const s = suffix.toLowerCase().replace(/\.$/, '');
    if ((name === s || name.endsWith(`.${s}`)) && s.length > best.length) best = s;
  }
  return best;
}

/**
 * `name` and its ancestors, closest first, down to the registrable domain (the label just
 * below the public suffix). Empty when `name` is itself a public suffix.
 */
export function namesUpToRegistrable(name: string, extra: readonly string[]): string[] {
  const suffix = publicSuffixOf(name, extra);
  const names: string[] = [];
  for (let n = name; n !== suffix && n.includes('.'); n = n.slice(n.indexOf('.') + 1)) {
    names.push(n);
  }
  if (names.length === 0 && name !== suffix) names.push(name);
  return names;
}
