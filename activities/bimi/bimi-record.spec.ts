import { describe, expect, it } from 'vitest';
import { httpsUrlProblem, isBimiRecord, parseBimiRecord } from './bimi-record';

describe('parseBimiRecord', () => {
  it('reads l=, a= and avp=', () => {
    expect(
      parseBimiRecord('v=BIMI1; l=https://x.test/logo.svg; a=https://x.test/vmc.pem; avp=Brand'),
    ).toEqual({
      ok: true,
      record: {
        location: 'https://x.test/logo.svg',
        authority: 'https://x.test/vmc.pem',
        avatarPreference: 'brand',
        otherTags: {},
      },
    });
  });

  it('reads the declination record', () => {
    expect(parseBimiRecord('v=BIMI1; l=; a=;')).toMatchObject({
      ok: true,
      record: { location: '', authority: '' },
    });
    expect(parseBimiRecord('v=BIMI1;')).toMatchObject({
      ok: true,
      record: { location: null, authority: null },
    });
  });

  it('rejects a record without v=BIMI1 first, duplicate tags, a bad avp', () => {
    expect(parseBimiRecord('l=https://x.test/l.svg; v=BIMI1')).toMatchObject({
      ok: false,
      error: /start with v=BIMI1/,
    });
    expect(
      parseBimiRecord('v=BIMI1; l=https://x.test/a.svg; l=https://x.test/b.svg'),
    ).toMatchObject({ ok: false, error: /more than once/ });
    expect(parseBimiRecord('v=BIMI1; l=https://x.test/a.svg; avp=logo')).toMatchObject({
      ok: false,
      error: /avp/,
    });
  });

  it('recognises BIMI records among other TXT', () => {
    expect(isBimiRecord('v=BIMI1; l=')).toBe(true);
    expect(isBimiRecord('v=BIMI1')).toBe(true);
    expect(isBimiRecord('v=spf1 -all')).toBe(false);
    expect(isBimiRecord('v=BIMI10; l=')).toBe(false);
  });
});

describe('httpsUrlProblem', () => {
  it('accepts https URLs, with the extension asked for', () => {
    expect(httpsUrlProblem('https://x.test/logo.svg', '.svg')).toBeNull();
    expect(httpsUrlProblem('https://x.test/LOGO.SVG', '.svg')).toBeNull();
    expect(httpsUrlProblem('https://x.test/vmc.pem')).toBeNull();
  });

  it('says what is wrong otherwise', () => {
    expect(httpsUrlProblem('http://x.test/logo.svg', '.svg')).toBe('uses http, not https');
    expect(httpsUrlProblem('https://x.test/logo.png', '.svg')).toBe('does not end in .svg');
    expect(httpsUrlProblem('logo.svg', '.svg')).toBe('not a URL');
  });
});
