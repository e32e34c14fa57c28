import { describe, expect, it } from 'vitest';
import { findingCatalogue } from '../../../activities/posture-checks';
import { guidanceCatalogue } from '../../../libs/guidance';
import { guidanceCommand, type GuidanceCommandOptions } from './guidance.command';

async function run(sub?: string, id?: string, opts: Partial<GuidanceCommandOptions> = {}) {
  const lines: string[] = [];
  const code = await guidanceCommand(sub, id, { format: 'json', ...opts }, (l) => {
    lines.push(l);
  });
  const text = lines.join('\n');
  return { code, text, json: () => JSON.parse(text) as Record<string, any> };
}

describe('perimeter guidance', () => {
  it('lists the whole catalogue as JSON with its version', async () => {
    const { code, json } = await run('list');
    expect(code).toBe(0);
    expect(json().version).toBe(guidanceCatalogue().version);
    const ids = json().tags.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(Object.keys(findingCatalogue)));
    expect(ids).toContain('mail.dmarc-enforced-without-spf');
  });

  it('lists one area and one severity', async () => {
    const spfFails = (await run('list', undefined, { area: 'spf', severity: 'fail' })).json().tags;
    expect(spfFails.length).toBeGreaterThan(3);
    for (const t of spfFails) expect(t).toMatchObject({ area: 'spf', severity: 'fail' });
  });

  it('prints a table for people: id, severity, Tracker id, title, and a count', async () => {
    const { code, text } = await run('list', undefined, { area: 'dmarc', format: 'table' });
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ID\s+SEV\s+TRACKER\s+TITLE$/);
    expect(lines.find((l) => l.startsWith('dmarc.policy-none '))).toMatch(
      /WARN\s+dmarc4\s+Policy: none/,
    );
    expect(lines.at(-1)).toMatch(/^\d+ tag\(s\), catalogue \d+\.[0-9a-f]{12}$/);
  });

  it('shows one tag: meaning, fix and references', async () => {
    const { code, text } = await run('show', 'spf.too-many-lookups', { format: 'table' });
    expect(code).toBe(0);
    expect(text).toContain('spf.too-many-lookups  (FAIL, area spf, Tracker spf11)');
    expect(text).toContain('How to fix it:');
    expect(text).toContain('  - RFC 7208 §4.6.4');
    expect((await run('show', 'spf.too-many-lookups')).json().tag).toMatchObject({
      id: 'spf.too-many-lookups',
      trackerTagId: 'spf11',
      fix: expect.any(String),
    });
  });

  it('refuses unknown tags, areas, severities and subcommands with distinct exit codes', async () => {
    expect(await run('show', 'nope.nothing')).toMatchObject({ code: 3 });
    expect((await run('show', 'nope.nothing')).json().error).toBe('UnknownGuidanceTag');
    expect(await run('show')).toMatchObject({ code: 2 });
    expect((await run('list', undefined, { area: 'nmap' })).json().message).toMatch(
      /unknown area "nmap"/,
    );
    expect((await run('list', undefined, { severity: 'critical' })).code).toBe(2);
    expect((await run('explain')).code).toBe(2);
  });
});
