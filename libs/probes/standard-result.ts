import { z } from 'zod';

/** Largest standard result accepted, serialised (a probe's payload, not a file store). */
export const MAX_RESULT_BYTES = 512 * 1024; // under the API's 1 MB request limit

/**
 * A standard result as probes send it (the SCANDALE shape): what produced it (`format`, `version`),
 * the probe's own id for it and when it was taken (`meta`), and the tool's normalised output.
 */
export const standardResultSchema = z
  .object({
    version: z.union([z.number().int().min(1).max(1_000_000), z.string().min(1).max(32)]),
    format: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/+-]*$/, 'letters, digits and . _ / + - only'),
    meta: z
      .object({
        uuid: z.uuid(),
        ts: z.iso.datetime({ offset: true }),
        type: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / - only'),
      })
      .strict(),
    payload: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
  })
  .strict();

export type StandardResult = z.infer<typeof standardResultSchema>;

export interface ResultIssue {
  path: string;
  message: string;
}

/** Thrown for a result that is not a standard result; lists every problem found. */
export class InvalidProbeResult extends Error {
  override readonly name = 'InvalidProbeResult';
  constructor(readonly issues: ResultIssue[]) {
    super(
      `not a standard result: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
  }
}

/** Validates an untrusted result; the timestamp must not lie more than a day in the future. */
export function parseStandardResult(input: unknown, now = new Date()): StandardResult {
  const size = Buffer.byteLength(JSON.stringify(input ?? null) ?? '', 'utf8');
  if (size > MAX_RESULT_BYTES) {
    throw new InvalidProbeResult([
      { path: '', message: `${size} bytes, more than the ${MAX_RESULT_BYTES} allowed` },
    ]);
  }
  const parsed = standardResultSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidProbeResult(
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  if (Date.parse(parsed.data.meta.ts) > now.getTime() + 24 * 3600_000) {
    throw new InvalidProbeResult([{ path: 'meta.ts', message: 'more than a day in the future' }]);
  }
  return parsed.data;
}
