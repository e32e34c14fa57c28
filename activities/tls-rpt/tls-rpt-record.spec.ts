import { describe, expect, it } from 'vitest';
import {
  checkReportUri,
  isTlsRptRecord,
  looksLikeTlsRpt,
  parseTlsRptRecord,
} from './tls-rpt-record';

describe('parseTlsRptRecord (RFC 8460 §3)', () => {
  it('reads rua URIs and extension fields, with or without a trailing semicolon', () => {
    expect(
      parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com , https://r.example/tls ; x-ext=1;'),
    ).toEqual({
      ok: true,
      record: {
        rua: [
          { uri: 'mailto:a@example.com', scheme: 'mailto', valid: true },
          { uri: 'https://r.example/tls', scheme: 'https', valid: true },
        ],
        extensions: { 'x-ext': '1' },
      },
    });
    expect(parseTlsRptRecord('v=TLSRPTv1;rua=mailto:a@example.com')).toMatchObject({ ok: true });
  });

  it('rejects records without rua, with rua twice, with malformed fields', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1')).toMatchObject({ ok: false, error: /no rua/ });
    expect(
      parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com'),
    ).toMatchObject({ error: /more than once/ });
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com;; x=1')).toMatchObject({
      error: /empty field/,
    });
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com; junk')).toMatchObject({
      error: /not a name=value/,
    });
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com,')).toMatchObject({
      error: /empty URI/,
    });
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com; _x=1')).toMatchObject({
      error: /bad field name/,
    });
  });

  it('requires the version first, exactly', () => {
    expect(isTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com')).toBe(true);
    expect(isTlsRptRecord('v=TLSRPTv1')).toBe(true);
    expect(isTlsRptRecord('v=tlsrptv1; rua=mailto:a@example.com')).toBe(false);
    expect(isTlsRptRecord('rua=mailto:a@example.com; v=TLSRPTv1')).toBe(false);
    expect(isTlsRptRecord('v=TLSRPTv10; rua=x')).toBe(false);
    expect(parseTlsRptRecord('v=TLSRPTv2; rua=mailto:a@example.com')).toMatchObject({
      ok: false,
      error: /start with exactly/,
    });
    expect(looksLikeTlsRpt('v=tlsrptv1; rua=mailto:a@example.com')).toBe(true);
    expect(looksLikeTlsRpt('google-site-verification=x')).toBe(false);
  });
});

describe('checkReportUri', () => {
  it('accepts mailto: with an address and https: with a host', () => {
    expect(checkReportUri('mailto:tls@example.com').valid).toBe(true);
    expect(checkReportUri('mailto:tls%40example.com').valid).toBe(true);
    expect(checkReportUri('https://reports.example/tls').valid).toBe(true);
  });

  it('refuses http:, bare addresses, other schemes and empty mailto', () => {
    expect(checkReportUri('http://reports.example/tls')).toEqual({
      uri: 'http://reports.example/tls',
      scheme: null,
      valid: false,
    });
    expect(checkReportUri('tls@example.com').valid).toBe(false);
    expect(checkReportUri('ftp://example.com/').valid).toBe(false);
    expect(checkReportUri('mailto:')).toMatchObject({ scheme: 'mailto', valid: false });
  });
});
