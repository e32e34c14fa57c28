import { describe, expect, it } from 'vitest';
import { securityTxt } from '../../lab/http/web-sites';
import { parseSecurityTxt } from './security-txt';

const NOW = new Date('2026-06-01T00:00:00Z');

describe('parseSecurityTxt', () => {
  it('reads the fields of a valid file', () => {
    const p = parseSecurityTxt(
      [
        '# Our policy',
        'Contact: mailto:security@example.com',
        'Contact: https://example.com/report',
        'Expires: 2026-12-31T23:59:59Z',
        'Encryption: https://example.com/pgp.asc',
        'Preferred-Languages: en',
      ].join('\r\n'),
      NOW,
    );
    expect(p).toMatchObject({
      contact: ['mailto:security@example.com', 'https://example.com/report'],
      expires: '2026-12-31T23:59:59Z',
      expired: false,
      signed: false,
      errors: [],
      warnings: [],
    });
  });

  it('is expired once Expires has passed', () => {
    const p = parseSecurityTxt(
      'Contact: mailto:a@b.example\nExpires: 2026-05-31T00:00:00+02:00\n',
      NOW,
    );
    expect(p).toMatchObject({ expired: true, errors: [] });
  });

  it('lists what RFC 9116 requires and is missing or wrong', () => {
    const p = parseSecurityTxt(
      'Expires: tomorrow\nExpires: 2027-01-01T00:00:00Z\nContact: security@example.com\nthis is not a field\nFoo: bar\n',
      NOW,
    );
    expect(p.errors).toEqual([
      'line 4 is not a field ("Name: value")',
      'expires appears more than once',
      "Contact 'security@example.com' is not a mailto:, tel: or https: URI",
    ]);
    expect(p.warnings).toEqual(["unknown field 'foo'"]);
    expect(parseSecurityTxt('Expires: 2026-07-01T00:00:00Z', NOW).errors).toEqual([
      'Contact is missing (required)',
    ]);
    expect(parseSecurityTxt('Contact: tel:+1-201-555-0123', NOW).errors).toEqual([
      'Expires is missing (required)',
    ]);
    expect(parseSecurityTxt('Contact: tel:+1\nExpires: 2026-13-01', NOW).errors).toEqual([
      "Expires '2026-13-01' is not an RFC 3339 date-time",
    ]);
  });

  it('warns about an Expires more than a year ahead', () => {
    const p = parseSecurityTxt('Contact: mailto:a@b.example\nExpires: 2030-01-01T00:00:00Z', NOW);
    expect(p.warnings).toEqual(['Expires is more than a year away']);
  });

  it('recognises an OpenPGP cleartext signature and reads the signed text (dash-escaping undone)', () => {
    const signed = securityTxt(
      { expires: new Date('2026-09-01T00:00:00Z'), signed: true },
      'x.example',
    );
    const p = parseSecurityTxt(signed.replace('Contact:', '- Contact:'), NOW);
    expect(p).toMatchObject({
      signed: true,
      contact: ['mailto:security@x.example'],
      expires: '2026-09-01T00:00:00Z',
      errors: [],
    });
    const broken = parseSecurityTxt(signed.replace('-----END PGP SIGNATURE-----', ''), NOW);
    expect(broken.signed).toBe(false);
    expect(broken.errors).toContain('the OpenPGP signature block is malformed');
  });
});
