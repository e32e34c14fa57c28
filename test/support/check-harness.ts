import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingDefinition } from '../../activities/common/check-report';
import type { CheckContext } from '../../activities/common/dns-lookup';
import { startLab, type Lab } from '../../lab/lab';
import { createScannerResolver } from '../../libs/net/scanner-resolver';

/**
 * Starts the lab for a spec file (stopped after it) and hands over the check context that points
 * at it: its DNS server, its HTTPS port and its CA.
 */
export function useLab(ready: (lab: Lab, ctx: CheckContext) => void): void {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await startLab();
    ready(lab, {
      resolver: createScannerResolver({ servers: lab.resolvers, timeoutMs: 1000, tries: 1 }),
      extraPublicSuffixes: ['perimeter.test'],
      allowPrivateTargets: true,
      https: {
        port: lab.https.port,
        extraCaPems: [lab.https.caPem],
        httpPort: lab.http.port,
        webTimeoutMs: 1500,
      },
      tls: { port: lab.tls.port, smtpPort: lab.smtp.port, timeoutMs: 3000 },
    });
  });
  afterAll(async () => {
    await lab?.close();
  });
}

/**
 * The tests every findings catalogue gets: each definition complete, every emitted finding
 * catalogued with its severity, and every catalogued id emitted by the spec's own scans.
 */
export function describeCatalogue(
  check: string,
  catalogue: Record<string, FindingDefinition>,
  emitted: Finding[],
  { emittedElsewhere = [] as string[] } = {},
): void {
  describe(`${check} findings catalogue`, () => {
    it('each definition is complete', () => {
      const prefix = new RegExp(`^${check.replace(/[-.]/g, '\\$&')}\\.[a-z0-9]+(-[a-z0-9]+)*$`);
      for (const [id, def] of Object.entries(catalogue)) {
        expect(def.id).toBe(id);
        expect(id).toMatch(prefix);
        expect(def.title.length).toBeGreaterThan(0);
        expect(def.explanation.length).toBeGreaterThan(0);
        expect(def.references.length).toBeGreaterThan(0);
        if (def.severity === 'pass') expect(def.fix).toBeUndefined();
        else expect(def.fix?.length).toBeGreaterThan(0);
      }
    });

    it('every emitted id is catalogued with its severity, and every catalogued id was emitted', () => {
      expect(emitted.filter((f) => catalogue[f.id]?.severity !== f.severity)).toEqual([]);
      const seen = new Set([...emitted.map((f) => f.id), ...emittedElsewhere]);
      expect(Object.keys(catalogue).filter((id) => !seen.has(id))).toEqual([]);
    });
  });
}
