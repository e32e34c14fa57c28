import { describe, expect, it } from 'vitest';
import { findingCatalogue } from '../../activities/posture-checks';
import { buildCatalogue, guidanceCatalogue, UnknownGuidanceArea } from './catalogue';
import { PromisedPassFindings } from './compliance';
import { evaluateGuidance } from './evaluate';
import { areaOf, GuidanceAreas, Severities } from './guidance-tag';
import { mailRules } from './mail-rules';
import { findingRule } from './rule';
import { dmarc, facts, finding, result, spf } from './test-results';
import { findingEnrichment } from './tracker-tags';

const sut = guidanceCatalogue();
const findingIds = Object.keys(findingCatalogue);

describe('guidance catalogue', () => {
  it('has a tag with a known area for every finding any scanner can report', () => {
    const missing = findingIds.filter((id) => !sut.tags.get(id));
    expect(missing).toEqual([]);
    for (const id of findingIds) {
      const tag = sut.tags.get(id)!;
      expect(GuidanceAreas).toContain(tag.area);
      expect(id.startsWith(`${tag.area}.`)).toBe(true);
      expect(tag.source).toBe('finding');
      expect(tag.severity).toBe(findingCatalogue[id].severity);
    }
  });

  it('every tag is complete: title, meaning, references, a fix unless it is a pass', () => {
    for (const tag of sut.tags.values()) {
      expect(Severities).toContain(tag.severity);
      expect(tag.title.length, tag.id).toBeGreaterThan(0);
      expect(tag.meaning.length, tag.id).toBeGreaterThan(0);
      expect(tag.references.length, tag.id).toBeGreaterThan(0);
      expect(tag.appliesWhen.length, tag.id).toBeGreaterThan(0);
      if (tag.severity === 'pass') expect(tag.fix, tag.id).toBeNull();
      else expect(tag.fix?.length, tag.id).toBeGreaterThan(0);
    }
  });

  it('records Tracker tag ids in Tracker’s own form; mail tags map one to one', () => {
    const ids = [...sut.tags.values()].map((t) => t.trackerTagId).filter((t) => t !== null);
    expect(ids.length).toBeGreaterThan(30);
    for (const id of ids) expect(id).toMatch(/^(dmarc|spf|dkim|https|ssl)\d+$/);
    // Several TLS findings share one Tracker tag (ssl24: any weak protocol); mail ones never do.
    const mail = ids.filter((id) => /^(dmarc|spf|dkim)/.test(id));
    expect(new Set(mail).size).toBe(mail.length);
    expect(sut.tags.get('spf.too-many-lookups')?.trackerTagId).toBe('spf11');
    expect(sut.tags.get('dmarc.policy-none')?.trackerTagId).toBe('dmarc4');
  });

  it('enriches only findings that exist, or of an area whose scanner is not in this build yet', () => {
    // The web, TLS and SMTP scanners land separately: their Tracker ids are recorded ahead; once
    // an area has findings here, an enrichment that matches none of them is a typo.
    const areasHere = new Set(findingIds.map(areaOf));
    for (const id of Object.keys(findingEnrichment)) expect(areaOf(id), id).not.toBeNull();
    const stale = Object.keys(findingEnrichment).filter(
      (id) => !findingCatalogue[id] && areasHere.has(areaOf(id)),
    );
    expect(stale).toEqual([]);
    for (const id of Object.values(PromisedPassFindings))
      expect(findingEnrichment[id]).toBeDefined();
  });

  it('has one rule per tag, and compound rule tags never collide with finding ids', () => {
    expect(sut.rules.map((r) => r.tag).sort()).toEqual([...sut.tags.keys()].sort());
    for (const { definition } of mailRules) expect(findingCatalogue[definition.id]).toBeUndefined();
  });

  it('versions its content: the same content gives the same version, any change a new one', () => {
    expect(buildCatalogue(findingCatalogue).version).toBe(sut.version);
    expect(sut.version).toMatch(/^\d+\.[0-9a-f]{12}$/);
    const edited = {
      ...findingCatalogue,
      'spf.valid': { ...findingCatalogue['spf.valid'], title: 'SPF record is fine' },
    };
    expect(buildCatalogue(edited).version).not.toBe(sut.version);
  });

  it('refuses a finding whose id has no known area', () => {
    const bogus = {
      'nmap.open-port': {
        id: 'nmap.open-port',
        severity: 'info' as const,
        title: 't',
        explanation: 'e',
        references: ['r'],
      },
    };
    expect(() => buildCatalogue(bogus)).toThrow(UnknownGuidanceArea);
  });
});

describe('finding rules: each finding sets its own tag and nothing else', () => {
  it.each(findingIds)('%s', (id) => {
    const rule = findingRule(findingCatalogue[id], id.slice(0, id.indexOf('.')));
    const scanner = id.slice(0, id.indexOf('.'));
    const match = rule.evaluate(facts(result(scanner, [id])));
    expect(match).toMatchObject({ message: finding(id).message, scanner });
    const other = findingIds.find((x) => x !== id)!;
    expect(rule.evaluate(facts(result(scanner, [other])))).toBeNull();
  });

  it('reports every occurrence when a check reports one finding several times', () => {
    const rule = findingRule(findingCatalogue['dkim.rsa-key-1024'], 'dkim');
    const r = result('dkim', []);
    r.findings = [
      { id: 'dkim.rsa-key-1024', severity: 'warning', message: 'a._domainkey: 1024 bits' },
      { id: 'dkim.rsa-key-1024', severity: 'warning', message: 'b._domainkey: 1024 bits' },
    ];
    const match = rule.evaluate(facts(r));
    expect(match?.message).toBe('a._domainkey: 1024 bits (and 1 more)');
    expect((match?.evidence?.occurrences as unknown[]).length).toBe(2);
  });
});

describe('evaluateGuidance', () => {
  it('applies finding and compound tags, worst first, and records the catalogue version', () => {
    const evaluation = evaluateGuidance(sut, [dmarc('reject'), spf(null)]);
    expect(evaluation.catalogueVersion).toBe(sut.version);
    const ids = evaluation.tags.map((t) => t.tagId);
    expect(ids).toEqual(
      expect.arrayContaining([
        'spf.missing',
        'mail.dmarc-enforced-without-spf',
        'dmarc.policy-reject',
      ]),
    );
    const order = { fail: 0, warning: 1, info: 2, pass: 3 };
    const ranks = evaluation.tags.map((t) => order[t.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(evaluation.compliance.mail).toBe('non-compliant');
  });

  it('lists findings the catalogue does not know instead of dropping them silently', () => {
    const evaluation = evaluateGuidance(sut, [result('web', ['web.brand-new-check'])]);
    expect(evaluation.uncatalogued).toEqual(['web.brand-new-check']);
  });
});
