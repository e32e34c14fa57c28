import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../../activities/surface/inventory';
import { buildSurfaceIndex } from '../../../activities/surface/surface-index';
import { attackers, mostExposed } from '../../../activities/surface/surface-queries';
import { surfaceCommand, type SurfaceCommandOptions } from './surface.command';

const fixtures = path.join(__dirname, '../../../activities/surface/fixtures');
const fixture = (name: string) => path.join(fixtures, name);

async function run(file: string, opts: Partial<SurfaceCommandOptions> = {}) {
  const lines: string[] = [];
  const code = await surfaceCommand(file, { transitive: false, format: 'json', ...opts }, (l) =>
    lines.push(l),
  );
  const text = lines.join('\n');
  return { code, text, json: () => JSON.parse(text) as Record<string, any> };
}

describe('perimeter surface', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'perimeter-surface-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the attackers of a VM as JSON, direct only or with transitive ones labelled', async () => {
    const direct = await run(fixture('chain.json'), { vm: 'vm-4-db' });
    expect(direct.code).toBe(0);
    expect(direct.json()).toEqual({
      vm: 'vm-4-db',
      transitive: false,
      attackers: [{ vmId: 'vm-3-app', kind: 'direct' }],
    });
    const all = await run(fixture('chain.json'), { vm: 'vm-4-db', transitive: true });
    expect(all.json().attackers).toEqual([
      { vmId: 'vm-3-app', kind: 'direct' },
      { vmId: 'vm-1-internet', kind: 'transitive' },
      { vmId: 'vm-2-web', kind: 'transitive' },
      { vmId: 'vm-5-monitor', kind: 'transitive' },
      { vmId: 'vm-6-backup', kind: 'transitive' },
    ]);
  });

  it('agrees with the engine on every VM of every fixture', async () => {
    for (const name of ['reference-example.json', 'cycle.json', 'self-loop.json', 'chain.json']) {
      const index = buildSurfaceIndex(parseInventory(readFileSync(fixture(name))));
      for (const vmId of index.vmIds) {
        for (const transitive of [false, true]) {
          const cli = await run(fixture(name), { vm: vmId, transitive });
          expect(cli.json().attackers, `${name} ${vmId}`).toEqual(
            attackers(index, vmId, { transitive }),
          );
        }
      }
      const top = await run(fixture(name), { top: 3 });
      expect(top.json().mostExposed).toEqual(mostExposed(index, 3));
    }
  });

  it('tells an unknown VM (exit 3) from a VM nobody reaches (exit 0, empty list)', async () => {
    const unknown = await run(fixture('cycle.json'), { vm: 'vm-nope', transitive: true });
    expect(unknown.code).toBe(3);
    expect(unknown.json()).toMatchObject({ error: 'UnknownVm', vmId: 'vm-nope' });
    const isolated = await run(fixture('cycle.json'), { vm: 'vm-e', transitive: true });
    expect(isolated.code).toBe(0);
    expect(isolated.json().attackers).toEqual([]);
  });

  it('refuses an invalid inventory with exit 2, listing every problem', async () => {
    const bad = await run(fixture('unknown-tag.json'), { vm: 'vm-1' });
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({
      error: 'InvalidInventory',
      problemCount: 2,
      problems: [
        { path: '$.fw_rules[0].dest_tag', message: 'tag "ghost" is carried by no VM' },
        { path: '$.fw_rules[1].source_tag', message: 'tag "phantom" is carried by no VM' },
      ],
    });
    const table = await run(fixture('unknown-tag.json'), { format: 'table' });
    expect(table.code).toBe(2);
    expect(table.text).toContain('$.fw_rules[0].dest_tag: tag "ghost" is carried by no VM');

    const notJson = path.join(dir, 'broken.json');
    await writeFile(notJson, '{"vms": [');
    expect((await run(notJson)).code).toBe(2);
    const missing = await run(path.join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.json().error).toBe('Unreadable');
  });

  it('prints a shortest path with the rules used, or null', async () => {
    const found = await run(fixture('chain.json'), { vm: 'vm-4-db', path: 'vm-1-internet' });
    expect(found.code).toBe(0);
    expect(found.json()).toMatchObject({
      attacker: 'vm-1-internet',
      target: 'vm-4-db',
      path: ['vm-1-internet', 'vm-2-web', 'vm-3-app', 'vm-4-db'],
    });
    expect(found.json().hops.map((h: { fwId: string }) => h.fwId)).toEqual([
      'fw-10',
      'fw-20',
      'fw-30',
    ]);
    const none = await run(fixture('chain.json'), { vm: 'vm-1-internet', path: 'vm-4-db' });
    expect(none.json()).toMatchObject({ path: null, hops: null });
    expect((await run(fixture('chain.json'), { vm: 'vm-1-internet', path: 'ghost' })).code).toBe(3);
    expect((await run(fixture('chain.json'), { path: 'vm-1-internet' })).code).toBe(2);
  });

  it('prints the most exposed VMs, and statistics when asked nothing', async () => {
    const top = await run(fixture('chain.json'), { top: 2 });
    expect(top.json()).toEqual({
      mostExposed: [
        { vmId: 'vm-4-db', directAttackers: 1, transitiveAttackers: 5 },
        { vmId: 'vm-3-app', directAttackers: 3, transitiveAttackers: 4 },
      ],
    });
    expect((await run(fixture('chain.json'), { top: Number('x') })).code).toBe(2);
    const s = await run(fixture('chain.json'));
    expect(s.json().stats).toMatchObject({ vmCount: 6, ruleCount: 5 });
  });

  it('prints readable tables', async () => {
    const t = await run(fixture('chain.json'), {
      vm: 'vm-4-db',
      transitive: true,
      format: 'table',
    });
    expect(t.code).toBe(0);
    expect(t.text.split('\n')).toEqual([
      '5 attacker(s) of vm-4-db (db):',
      'VM             NAME        KIND',
      'vm-3-app       app         direct',
      'vm-1-internet  edge proxy  transitive',
      'vm-2-web       web         transitive',
      'vm-5-monitor   monitor     transitive',
      'vm-6-backup    backup      transitive',
    ]);
    const p = await run(fixture('chain.json'), {
      vm: 'vm-4-db',
      path: 'vm-5-monitor',
      format: 'table',
    });
    expect(p.text).toContain('shortest path from vm-5-monitor to vm-4-db, 2 hop(s):');
    expect(p.text).toMatch(/vm-5-monitor\s+vm-3-app\s+fw-40\s+monitor\s+monitored/);
    const s = await run(fixture('chain.json'), { format: 'table' });
    expect(s.text).toMatch(/vmCount\s+6/);
  });
});
