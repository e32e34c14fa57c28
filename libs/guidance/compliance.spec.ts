import { describe, expect, it } from 'vitest';
import {
  dkimCriterion,
  dmarcCriterion,
  dmarcPhase,
  evaluateCompliance,
  overall,
  spfCriterion,
  starttlsCriterion,
  webCriteria,
} from './compliance';
import { dkim, dmarc, facts, result, spf } from './test-results';

const status = (c: { evaluate: typeof dmarcCriterion.evaluate }, ...r: Parameters<typeof facts>) =>
  c.evaluate(facts(...r)).status;

describe('mail.dmarc-enforced', () => {
  it('passes for reject or quarantine on all mail, own or inherited', () => {
    expect(status(dmarcCriterion, dmarc('reject'))).toBe('pass');
    expect(status(dmarcCriterion, dmarc('quarantine'))).toBe('pass');
    expect(dmarcCriterion.evaluate(facts(dmarc('reject', { inherited: true }))).reason).toBe(
      'p=reject (inherited)',
    );
  });

  it('fails for p=none, a partial pct, or no policy', () => {
    expect(dmarcCriterion.evaluate(facts(dmarc('none')))).toEqual({
      status: 'fail',
      reason: 'p=none: monitoring only',
    });
    expect(dmarcCriterion.evaluate(facts(dmarc('reject', { pct: 50 }))).reason).toBe(
      'p=reject applies to pct=50 of the mail only',
    );
    expect(status(dmarcCriterion, dmarc(null))).toBe('fail');
  });

  it('is unknown when the DMARC check did not run or could not determine', () => {
    expect(status(dmarcCriterion)).toBe('unknown');
    expect(status(dmarcCriterion, { ...dmarc('reject'), status: 'unknown' })).toBe('unknown');
  });
});

describe('mail.spf-strict', () => {
  it('passes for -all and ~all within the lookup limit', () => {
    expect(spfCriterion.evaluate(facts(spf('v=spf1 mx -all', { lookups: 1 })))).toEqual({
      status: 'pass',
      reason: 'ends in -all, 1 of 10 lookups',
    });
    expect(status(spfCriterion, spf('v=spf1 mx ~all', { all: '~', lookups: 10 }))).toBe('pass');
  });

  it('fails for ?all, +all, no all, no record, or an invalid record (over the limit)', () => {
    expect(spfCriterion.evaluate(facts(spf('v=spf1 mx ?all', { all: '?' }))).reason).toBe(
      'ends in ?all',
    );
    expect(status(spfCriterion, spf('v=spf1 +all', { all: '+' }))).toBe('fail');
    expect(spfCriterion.evaluate(facts(spf('v=spf1 mx', { all: null }))).reason).toBe(
      'no all mechanism',
    );
    expect(status(spfCriterion, spf(null))).toBe('fail');
    const over = spf('v=spf1 include:… -all', { valid: false, lookups: 11 });
    expect(spfCriterion.evaluate(facts(over)).reason).toMatch(/not valid \(11 lookups/);
  });

  it('is unknown without an SPF result', () => {
    expect(status(spfCriterion, dmarc('reject'))).toBe('unknown');
  });
});

describe('mail.dkim-strong-keys', () => {
  it('passes when every usable key is RSA ≥ 2048 bits or Ed25519', () => {
    const keys = dkim([
      { selector: 's1', bits: 2048 },
      { selector: 's2', bits: 4096 },
      { selector: 'ed', type: 'ed25519' },
    ]);
    expect(dkimCriterion.evaluate(facts(keys))).toEqual({
      status: 'pass',
      reason: '3 usable key(s): s1 (2048-bit RSA), s2 (4096-bit RSA), ed (ed25519)',
    });
  });

  it('fails when one key is shorter, naming it', () => {
    const keys = dkim([
      { selector: 's1', bits: 2048 },
      { selector: 'old', bits: 1024 },
    ]);
    expect(dkimCriterion.evaluate(facts(keys)).reason).toBe(
      'RSA key(s) under 2048 bits: old (1024)',
    );
  });

  it('fails when no key was found, unless the domain declares it sends no mail', () => {
    expect(status(dkimCriterion, dkim([]))).toBe('fail');
    const parked = [dkim([]), spf('v=spf1 -all'), result('mx', ['mx.null-mx'])];
    expect(status(dkimCriterion, ...parked)).toBe('not-applicable');
  });

  it('is unknown without a completed DKIM result', () => {
    expect(status(dkimCriterion, { ...dkim([]), status: 'failed' })).toBe('unknown');
  });
});

describe('mail.starttls-everywhere', () => {
  it('passes on the SMTP scanner’s pass finding', () => {
    expect(status(starttlsCriterion, result('smtp-tls', ['smtp-tls.starttls-everywhere']))).toBe(
      'pass',
    );
  });

  it('fails when the SMTP TLS scanner completed without it', () => {
    expect(
      starttlsCriterion.evaluate(facts(result('smtp', ['smtp-tls.starttls-missing']))),
    ).toEqual({
      status: 'fail',
      reason:
        'at least one MX host does not offer STARTTLS with a usable certificate: smtp-tls.starttls-missing',
    });
  });

  it('is unknown when no SMTP TLS scanner ran or it could not determine', () => {
    expect(starttlsCriterion.evaluate(facts(dmarc('reject')))).toEqual({
      status: 'unknown',
      reason: 'no smtp-tls scan ran',
    });
    expect(status(starttlsCriterion, result('smtp-tls', [], null, 'unknown'))).toBe('unknown');
  });

  it('does not apply to a domain that accepts no mail', () => {
    expect(status(starttlsCriterion, result('mx', ['mx.null-mx']))).toBe('not-applicable');
    expect(status(starttlsCriterion, result('smtp', ['smtp-tls.no-mx']))).toBe('not-applicable');
  });
});

describe('web criteria', () => {
  const [https, hsts, tls, certificate] = webCriteria;

  it('each passes on its promised finding, whatever the scanner is called', () => {
    expect(status(https, result('web', ['web.https-enforced']))).toBe('pass');
    expect(status(hsts, result('web', ['hsts.valid']))).toBe('pass');
    expect(status(tls, result('tls', ['tls.protocols-modern']))).toBe('pass');
    expect(status(certificate, result('tls-scan', ['certificate.valid']))).toBe('pass');
  });

  it('each fails when its scanner completed without the pass finding', () => {
    expect(status(https, result('web', ['web.http-not-redirected']))).toBe('fail');
    expect(status(hsts, result('web', ['web.https-enforced']))).toBe('fail');
    expect(status(tls, result('tls', ['tls.tls10-accepted']))).toBe('fail');
    expect(status(certificate, result('tls', ['certificate.expired']))).toBe('fail');
  });

  it('a certificate the web scanner found invalid fails the criterion without a TLS scan', () => {
    expect(certificate.evaluate(facts(result('web', ['web.certificate-expired'])))).toEqual({
      status: 'fail',
      reason: 'web.certificate-expired reported',
    });
  });

  it('none applies when no web server answers: the domain is web not-applicable', () => {
    const c = evaluateCompliance(facts(result('web', ['web.not-live'])));
    expect(c.criteria.filter((x) => x.group === 'web').map((x) => x.status)).toEqual([
      'not-applicable',
      'not-applicable',
      'not-applicable',
      'not-applicable',
    ]);
    expect(c.web).toBe('not-applicable');
    expect(status(tls, result('tls', ['tls.no-service']))).toBe('not-applicable');
  });

  it('each is unknown when its scanner did not run (a mail-only scan)', () => {
    const mailOnly = [dmarc('reject'), spf('v=spf1 -all')];
    for (const c of webCriteria) expect(status(c, ...mailOnly)).toBe('unknown');
  });
});

describe('overall status', () => {
  it('is non-compliant on any fail, unknown on any unknown, else compliant', () => {
    const r = (s: 'pass' | 'fail' | 'unknown' | 'not-applicable') => ({
      id: 'x',
      group: 'mail' as const,
      status: s,
      reason: '',
    });
    expect(overall([r('pass'), r('unknown'), r('fail')])).toBe('non-compliant');
    expect(overall([r('pass'), r('unknown')])).toBe('unknown');
    expect(overall([r('pass'), r('not-applicable')])).toBe('compliant');
    expect(overall([r('not-applicable'), r('not-applicable')])).toBe('not-applicable');
  });

  it('a fully configured mail domain is mail-compliant and web-unknown without web scanners', () => {
    const c = evaluateCompliance(
      facts(
        dmarc('reject'),
        spf('v=spf1 mx -all'),
        dkim([{ selector: 's1', bits: 2048 }]),
        result('smtp-tls', ['smtp-tls.starttls-everywhere']),
      ),
    );
    expect(c.mail).toBe('compliant');
    expect(c.web).toBe('unknown');
    expect(c.dmarcPhase).toBe('maintain');
    expect(c.criteria.map((x) => x.id)).toEqual([
      'web.https-enforced',
      'web.hsts-one-year',
      'web.tls-modern-only',
      'web.certificate-valid',
      'mail.dmarc-enforced',
      'mail.spf-strict',
      'mail.dkim-strong-keys',
      'mail.starttls-everywhere',
    ]);
  });
});

describe('DMARC phase', () => {
  const good = [spf('v=spf1 mx -all'), dkim([{ selector: 's1' }])];

  it('not-implemented without a policy; unknown without a DMARC result', () => {
    expect(dmarcPhase(facts(dmarc(null), ...good))).toBe('not-implemented');
    expect(dmarcPhase(facts(...good))).toBe('unknown');
  });

  it('assess: p=none while SPF or DKIM is not in place', () => {
    expect(dmarcPhase(facts(dmarc('none'), spf(null), dkim([{ selector: 's1' }])))).toBe('assess');
    expect(dmarcPhase(facts(dmarc('none'), spf('v=spf1 -all'), dkim([])))).toBe('assess');
  });

  it('deploy: p=none with SPF and DKIM passing', () => {
    expect(dmarcPhase(facts(dmarc('none'), ...good))).toBe('deploy');
  });

  it('enforce: quarantine or reject, not yet complete', () => {
    expect(dmarcPhase(facts(dmarc('quarantine', { pct: 25 }), ...good))).toBe('enforce');
    expect(dmarcPhase(facts(dmarc('reject', { testing: true }), ...good))).toBe('enforce');
    expect(dmarcPhase(facts(dmarc('reject', { rua: 0 }), ...good))).toBe('enforce');
    expect(dmarcPhase(facts(dmarc('reject'), spf(null), dkim([{ selector: 's1' }])))).toBe(
      'enforce',
    );
  });

  it('unknown where SPF or DKIM decides the phase but did not run', () => {
    expect(dmarcPhase(facts(dmarc('none'), spf('v=spf1 -all')))).toBe('unknown');
    expect(dmarcPhase(facts(dmarc('reject'), dkim([{ selector: 's1' }])))).toBe('unknown');
    // …but not where they do not decide it.
    expect(dmarcPhase(facts(dmarc('reject', { pct: 50 })))).toBe('enforce');
    expect(dmarcPhase(facts(dmarc('none'), spf(null)))).toBe('assess');
  });

  it('maintain: quarantine or reject on all mail, SPF, DKIM and reports in place', () => {
    expect(dmarcPhase(facts(dmarc('reject'), ...good))).toBe('maintain');
    expect(dmarcPhase(facts(dmarc('quarantine'), ...good))).toBe('maintain');
  });
});
