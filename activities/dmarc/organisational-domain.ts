import { getDomain } from 'tldts';

/** RFC 9989 §4.10: no more than eight DNS queries per tree walk, whatever the name's length. */
export const TREE_WALK_MAX_QUERIES = 8;

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function labelCount(name: string): number {
  return name.split('.').length;
}

/** RFC 7489 §3.2 organisational domain (PSL plus extra suffixes); undefined for a public suffix. */
export function organisationalDomain(
  name: string,
  extraPublicSuffixes: readonly string[] = [],
): string | undefined {
  const host = normalise(name);
  const labels = host.split('.');
  const registrable = getDomain(host, { allowPrivateDomains: true });
  let suffixLabels = registrable ? labelCount(registrable) - 1 : labels.length;
  for (const extra of extraPublicSuffixes.map(normalise)) {
    if (host === extra) return undefined;
    if (host.endsWith(`.${extra}`)) suffixLabels = Math.max(suffixLabels, labelCount(extra));
  }
  if (labels.length <= suffixLabels) return undefined;
  return labels.slice(-(suffixLabels + 1)).join('.');
}

/** RFC 9989 §4.10 tree-walk names: the domain, then ancestors (7 labels at most) to `lastName`. */
export function treeWalkNames(domain: string, lastName: string | undefined): string[] {
  const host = normalise(domain);
  const names = [host];
  // Callers stop at the organisational domain, not the TLD: records above it are registries'.
  if (lastName === undefined) return names;
  const labels = host.split('.');
  const floor = labelCount(normalise(lastName));
  for (let n = Math.min(labels.length - 1, TREE_WALK_MAX_QUERIES - 1); n >= floor; n--) {
    names.push(labels.slice(-n).join('.'));
  }
  return names;
}

/** `child` is `parent` or one of its subdomains. */
export function isAtOrBelow(child: string, parent: string): boolean {
  return child === parent || child.endsWith(`.${parent}`);
}
