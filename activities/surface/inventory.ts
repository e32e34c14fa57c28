/**
 * Cloud inventory for the attack-surface engine: the wire format, its TypeScript shape, and a
 * validator that either returns a complete, consistent inventory or throws `InvalidInventory`
 * listing every problem it found (never a partial result).
 *
 * Wire format (the public "attack surface" assignment's shape):
 *   {"vms":[{"vm_id","name","tags":[…]}], "fw_rules":[{"fw_id","source_tag","dest_tag"}]}
 *
 * The input may be hostile: sizes are capped before any per-entry work, keys such as `__proto__`
 * are plain data (only own properties are read; lookups use Map), and validation is linear.
 */

export interface Vm {
  readonly vmId: string;
  readonly name: string;
  /** Distinct tags in input order (a tag listed twice on one VM counts once). */
  readonly tags: readonly string[];
}

export interface FwRule {
  readonly fwId: string;
  readonly sourceTag: string;
  readonly destTag: string;
}

export interface Inventory {
  readonly vms: readonly Vm[];
  readonly fwRules: readonly FwRule[];
}

export interface InventoryLimits {
  /** Size of a string or Buffer input, in bytes (UTF-8) or UTF-16 code units for strings. */
  readonly maxBytes: number;
  readonly maxVms: number;
  readonly maxRules: number;
  readonly maxTagsPerVm: number;
  /** Length of every id, name and tag, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** How many problems an `InvalidInventory` lists; `problemCount` still counts them all. */
  readonly maxProblems: number;
}

export const DEFAULT_INVENTORY_LIMITS: InventoryLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxVms: 2_000_000,
  maxRules: 2_000_000,
  maxTagsPerVm: 1000,
  maxStringLength: 256,
  maxProblems: 100,
};

export interface InventoryProblem {
  /** JSONPath-like location, e.g. `$.fw_rules[12].dest_tag`. */
  path: string;
  message: string;
}

export class InvalidInventory extends Error {
  override readonly name = 'InvalidInventory';
  constructor(
    /** The first `maxProblems` problems, in document order. */
    readonly problems: InventoryProblem[],
    /** Every problem found, including those not listed. */
    readonly problemCount: number,
  ) {
    const more = problemCount > problems.length ? ` (first ${problems.length} listed)` : '';
    const first = problems[0] ? `: ${problems[0].path}: ${problems[0].message}` : '';
    super(`invalid inventory, ${problemCount} problem(s)${more}${first}`);
  }
}

class ProblemList {
  readonly listed: InventoryProblem[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(path: string, message: string): void {
    this.count++;
    if (this.listed.length < this.max) this.listed.push({ path, message });
  }
}

// Lone surrogates cannot be encoded as UTF-8, so they would not survive storage.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Printable ASCII is the common case; the Unicode checks below run only on the rest.
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// C0/C1 controls would let a tag or name rewrite a terminal or log line.
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Own properties only: an inherited (polluted) `vms` or `vm_id` must not count as input.
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function checkString(
  value: unknown,
  path: string,
  problems: ProblemList,
  maxLength: number,
): value is string {
  if (value === undefined) {
    problems.add(path, 'is required');
    return false;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a string, got ${describe(value)}`);
    return false;
  }
  if (value.length === 0) {
    problems.add(path, 'must not be empty');
    return false;
  }
  if (value.length > maxLength) {
    problems.add(path, `is ${value.length} characters long; the limit is ${maxLength}`);
    return false;
  }
  if (!isPrintableAscii(value)) {
    if (hasControl(value)) {
      problems.add(path, 'must not contain control characters');
      return false;
    }
    if (LONE_SURROGATE.test(value)) {
      problems.add(path, 'must be valid Unicode (it contains a lone surrogate)');
      return false;
    }
  }
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function decode(input: string | Buffer, limits: InventoryLimits, problems: ProblemList): unknown {
  if (input.length > limits.maxBytes) {
    problems.add('$', `input is ${input.length} bytes; the limit is ${limits.maxBytes}`);
    return undefined;
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      // fatal: invalid UTF-8 is refused rather than silently replaced with U+FFFD.
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      problems.add('$', 'input is not valid UTF-8');
      return undefined;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    problems.add('$', `input is not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

/**
 * Validates an inventory given as a JSON string, a Buffer of UTF-8 JSON, or an already-parsed
 * value. Returns fresh objects (nothing aliases the input); throws `InvalidInventory`.
 */
export function parseInventory(input: unknown, limits: Partial<InventoryLimits> = {}): Inventory {
  const lim: InventoryLimits = { ...DEFAULT_INVENTORY_LIMITS, ...limits };
  const problems = new ProblemList(lim.maxProblems);
  const raw =
    typeof input === 'string' || Buffer.isBuffer(input) ? decode(input, lim, problems) : input;
  const fail = () => new InvalidInventory(problems.listed, problems.count);
  if (problems.count > 0) throw fail();

  if (!isRecord(raw)) {
    problems.add('$', `must be an object with "vms" and "fw_rules", got ${describe(raw)}`);
    throw fail();
  }
  const rawVms = own(raw, 'vms');
  const rawRules = own(raw, 'fw_rules');
  const vmsOk = checkArray(rawVms, '$.vms', lim.maxVms, problems);
  const rulesOk = checkArray(rawRules, '$.fw_rules', lim.maxRules, problems);

  const vms: Vm[] = [];
  // A Set, so `__proto__` or `constructor` are ordinary tags.
  const carried = new Set<string>();
  if (vmsOk) {
    const firstSeen = new Map<string, number>();
    const list = rawVms as unknown[];
    for (let i = 0; i < list.length; i++) {
      const vm = parseVm(list[i], i, lim, problems, carried);
      if (!vm) continue;
      const prior = firstSeen.get(vm.vmId);
      if (prior !== undefined) {
        problems.add(
          `$.vms[${i}].vm_id`,
          `duplicate vm_id ${quote(vm.vmId)} (first at $.vms[${prior}])`,
        );
        continue;
      }
      firstSeen.set(vm.vmId, i);
      vms.push(vm);
    }
  }

  const fwRules: FwRule[] = [];
  if (rulesOk) {
    const firstSeen = new Map<string, number>();
    const list = rawRules as unknown[];
    for (let i = 0; i < list.length; i++) {
      const rule = parseRule(list[i], i, lim, problems);
      if (!rule) continue;
      const prior = firstSeen.get(rule.fwId);
      if (prior !== undefined) {
        problems.add(
          `$.fw_rules[${i}].fw_id`,
          `duplicate fw_id ${quote(rule.fwId)} (first at $.fw_rules[${prior}])`,
        );
      } else {
        firstSeen.set(rule.fwId, i);
      }
      // Only meaningful once every VM was read: a tag carried by an invalid VM is still carried.
      if (vmsOk) {
        if (!carried.has(rule.sourceTag)) {
          problems.add(
            `$.fw_rules[${i}].source_tag`,
            `tag ${quote(rule.sourceTag)} is carried by no VM`,
          );
        }
        if (!carried.has(rule.destTag)) {
          problems.add(
            `$.fw_rules[${i}].dest_tag`,
            `tag ${quote(rule.destTag)} is carried by no VM`,
          );
        }
      }
      fwRules.push(rule);
    }
  }

  if (problems.count > 0) throw fail();
  return { vms, fwRules };
}

function checkArray(value: unknown, path: string, max: number, problems: ProblemList): boolean {
  if (value === undefined) {
    problems.add(path, 'is required');
    return false;
  }
  if (!Array.isArray(value)) {
    problems.add(path, `must be an array, got ${describe(value)}`);
    return false;
  }
  if (value.length > max) {
    problems.add(path, `has ${value.length} entries; the limit is ${max}`);
    return false;
  }
  return true;
}

function parseVm(
  value: unknown,
  i: number,
  lim: InventoryLimits,
  problems: ProblemList,
  carried: Set<string>,
): Vm | undefined {
  const path = `$.vms[${i}]`;
  if (!isRecord(value)) {
    problems.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }
  const vmId = own(value, 'vm_id');
  const name = own(value, 'name');
  const rawTags = own(value, 'tags');
  let ok = checkString(vmId, `${path}.vm_id`, problems, lim.maxStringLength);
  ok = checkString(name, `${path}.name`, problems, lim.maxStringLength) && ok;
  if (!checkArray(rawTags, `${path}.tags`, lim.maxTagsPerVm, problems)) return undefined;
  const tagList = rawTags as unknown[];
  const tags: string[] = [];
  const seen = new Set<string>();
  for (let j = 0; j < tagList.length; j++) {
    const tag = tagList[j];
    if (!checkString(tag, `${path}.tags[${j}]`, problems, lim.maxStringLength)) {
      ok = false;
      continue;
    }
    if (seen.has(tag)) continue;
    seen.add(tag);
    tags.push(tag);
    carried.add(tag);
  }
  return ok ? { vmId: vmId as string, name: name as string, tags } : undefined;
}

function parseRule(
  value: unknown,
  i: number,
  lim: InventoryLimits,
  problems: ProblemList,
): FwRule | undefined {
  const path = `$.fw_rules[${i}]`;
  if (!isRecord(value)) {
    problems.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }
  const fwId = own(value, 'fw_id');
  const sourceTag = own(value, 'source_tag');
  const destTag = own(value, 'dest_tag');
  let ok = checkString(fwId, `${path}.fw_id`, problems, lim.maxStringLength);
  ok = checkString(sourceTag, `${path}.source_tag`, problems, lim.maxStringLength) && ok;
  ok = checkString(destTag, `${path}.dest_tag`, problems, lim.maxStringLength) && ok;
  return ok
    ? { fwId: fwId as string, sourceTag: sourceTag as string, destTag: destTag as string }
    : undefined;
}
