import { describe, expect, it } from 'vitest';
import {
  bimiWithoutEnforcement,
  dmarcEnforcedWithoutDkim,
  dmarcEnforcedWithoutSpf,
  dmarcWithoutAuthentication,
  mtaStsWithoutTlsRpt,
  parkedDomainUnprotected,
} from './mail-rules';
import { dkim, dmarc, facts, result, spf } from './test-results';

const strongDkim = dkim([{ selector: 's1', bits: 2048 }]);

describe('mail.dmarc-enforced-without-spf', () => {
  const sut = dmarcEnforcedWithoutSpf.rule;

  it('applies when DMARC rejects and there is no SPF record', () => {
    const match = sut.evaluate(facts(dmarc('reject'), spf(null)));
    expect(match?.message).toMatch(/reject failing mail.*no SPF record/);
    expect(match?.evidence).toMatchObject({ dmarcPolicy: 'reject' });
  });

  it('applies when DMARC quarantines and SPF is in permerror', () => {
    const broken = spf('v=spf1 include:a include:b -all', {
      valid: false,
      lookups: 11,
      extra: ['spf.too-many-lookups'],
    });
    expect(sut.evaluate(facts(dmarc('quarantine'), broken))?.message).toMatch(
      /permerror \(spf.too-many-lookups\)/,
    );
  });

  it('does not apply with p=none, with a valid SPF record, or without a DMARC result', () => {
    expect(sut.evaluate(facts(dmarc('none'), spf(null)))).toBeNull();
    expect(sut.evaluate(facts(dmarc('reject'), spf('v=spf1 mx -all')))).toBeNull();
    expect(sut.evaluate(facts(spf(null)))).toBeNull();
  });
});

describe('mail.dmarc-enforced-without-dkim', () => {
  const sut = dmarcEnforcedWithoutDkim.rule;

  it('applies when DMARC rejects and no DKIM key was found', () => {
    expect(sut.evaluate(facts(dmarc('reject'), dkim([])))?.message).toMatch(
      /no DKIM key under any selector/,
    );
  });

  it('says so when keys exist but none is usable', () => {
    const unusable = result('dkim', ['dkim.key-revoked', 'dkim.no-usable-key'], {
      selectors: [{ selector: 'old', usable: false, keyType: 'rsa', keyBits: null }],
    });
    expect(sut.evaluate(facts(dmarc('quarantine'), unusable))?.message).toMatch(
      /none of them usable/,
    );
  });

  it('does not apply with a usable key, with p=none, or when DKIM could not be determined', () => {
    expect(sut.evaluate(facts(dmarc('reject'), strongDkim))).toBeNull();
    expect(sut.evaluate(facts(dmarc('none'), dkim([])))).toBeNull();
    const unknown = { ...dkim([]), status: 'unknown' as const };
    expect(sut.evaluate(facts(dmarc('reject'), unknown))).toBeNull();
  });
});

describe('mail.dmarc-without-authentication', () => {
  const sut = dmarcWithoutAuthentication.rule;

  it('applies when a policy applies and neither SPF nor DKIM can pass, even with p=none', () => {
    const match = sut.evaluate(facts(dmarc('none'), spf(null), dkim([])));
    expect(match?.message).toMatch(/p=none.*none of its mail can pass DMARC/);
  });

  it('does not apply when either SPF or DKIM can pass, or when no DMARC policy applies', () => {
    expect(sut.evaluate(facts(dmarc('reject'), spf('v=spf1 -all'), dkim([])))).toBeNull();
    expect(sut.evaluate(facts(dmarc('reject'), spf(null), strongDkim))).toBeNull();
    expect(sut.evaluate(facts(dmarc(null), spf(null), dkim([])))).toBeNull();
  });
});

describe('mail.parked-domain-unprotected', () => {
  const sut = parkedDomainUnprotected.rule;
  const nullMx = result('mx', ['mx.null-mx']);

  it('applies to a null-MX domain without "v=spf1 -all" and DMARC reject, naming both', () => {
    const match = sut.evaluate(facts(nullMx, spf('v=spf1 mx ~all', { all: '~' }), dmarc('none')));
    expect(match?.message).toBe(
      'The domain accepts no mail (null MX) but lacks SPF "v=spf1 -all" and DMARC p=reject.',
    );
  });

  it('names only what is missing', () => {
    const match = sut.evaluate(facts(nullMx, spf('v=spf1 -all'), dmarc('quarantine')));
    expect(match?.message).toMatch(/lacks DMARC p=reject\.$/);
  });

  it('does not apply to a protected parked domain, to a domain with mail hosts, or without SPF/DMARC results', () => {
    expect(sut.evaluate(facts(nullMx, spf('v=spf1 -all'), dmarc('reject')))).toBeNull();
    const mailHosts = result('mx', ['mx.valid']);
    expect(sut.evaluate(facts(mailHosts, spf(null), dmarc(null)))).toBeNull();
    expect(sut.evaluate(facts(nullMx))).toBeNull();
  });
});

describe('mail.bimi-without-enforcement', () => {
  const sut = bimiWithoutEnforcement.rule;
  const bimi = result('bimi', ['bimi.valid', 'bimi.svg-valid']);

  it('applies when BIMI is published and DMARC is p=none or partial', () => {
    expect(sut.evaluate(facts(bimi, dmarc('none')))?.message).toMatch(/DMARC is p=none/);
    expect(sut.evaluate(facts(bimi, dmarc('quarantine', { pct: 50 })))?.message).toMatch(
      /p=quarantine, pct=50/,
    );
    expect(sut.evaluate(facts(bimi, dmarc(null)))?.message).toMatch(/not in force/);
  });

  it('does not apply with enforcement, without a BIMI record, or when BIMI is declined', () => {
    expect(sut.evaluate(facts(bimi, dmarc('reject')))).toBeNull();
    expect(sut.evaluate(facts(result('bimi', ['bimi.missing']), dmarc('none')))).toBeNull();
    expect(sut.evaluate(facts(result('bimi', ['bimi.declined']), dmarc('none')))).toBeNull();
  });
});

describe('mail.mta-sts-without-tls-rpt', () => {
  const sut = mtaStsWithoutTlsRpt.rule;

  it('applies when the MTA-STS policy is valid and TLS-RPT is missing', () => {
    const match = sut.evaluate(
      facts(result('mta-sts', ['mta-sts.valid']), result('tls-rpt', ['tls-rpt.missing'])),
    );
    expect(match).not.toBeNull();
  });

  it('does not apply with TLS-RPT, or without MTA-STS', () => {
    expect(
      sut.evaluate(
        facts(result('mta-sts', ['mta-sts.valid']), result('tls-rpt', ['tls-rpt.valid'])),
      ),
    ).toBeNull();
    expect(
      sut.evaluate(
        facts(result('mta-sts', ['mta-sts.missing']), result('tls-rpt', ['tls-rpt.missing'])),
      ),
    ).toBeNull();
  });
});
