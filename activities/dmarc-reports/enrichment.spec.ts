import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IpDatabase } from './ip-database';
import { DEFAULT_SENDER_CATALOGUE, loadSenderCatalogue, senderIndex } from './sender-catalogue';

const dir = mkdtempSync(path.join(tmpdir(), 'dmarc-enrich-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('IP database (CSV)', () => {
  const sut = IpDatabase.load(path.join(__dirname, 'fixtures/ip-database.csv'));

  it('answers with the longest matching prefix, for IPv4 and IPv6', () => {
    expect(sut.lookup('203.0.113.10')).toEqual({
      country: 'GB',
      asn: 64501,
      asName: 'Example Mail, Ltd',
    });
    expect(sut.lookup('203.0.113.99')).toEqual({
      country: 'NL',
      asn: 64500,
      asName: 'Example Transit',
    });
    expect(sut.lookup('2001:db8::25')).toMatchObject({ country: 'DE' });
    expect(sut.lookup('::ffff:203.0.113.10')).toMatchObject({ country: 'GB' });
    expect(sut.lookup('192.0.2.1')).toBeUndefined();
  });

  it('names the line of a bad entry', () => {
    expect(() =>
      IpDatabase.load(file('bad.csv', '# x\n10.0.0.0/8,NL,1,a\nnot-a-cidr,NL,2,b\n')),
    ).toThrow(/bad.csv:3: "not-a-cidr" is not a CIDR/);
    expect(() => IpDatabase.load(file('bad-asn.csv', '10.0.0.0/8,NL,ASx,a\n'))).toThrow(
      /not an AS number/,
    );
  });
});

describe('sender catalogue', () => {
  it('classifies by base domain with the built-in catalogue', () => {
    const index = senderIndex(loadSenderCatalogue(undefined));
    expect(index.get('sendgrid.net')).toMatchObject({
      name: 'SendGrid',
      category: 'email-service',
    });
    expect(index.get('google.com')?.name).toBe('Google');
    expect(index.get('example.org')).toBeUndefined();
    expect(DEFAULT_SENDER_CATALOGUE.length).toBeGreaterThan(10);
  });

  it('is replaced by an editable JSON file, and a bad file is refused with the entry named', () => {
    const own = file(
      'own.json',
      JSON.stringify([
        { name: 'Our relay', category: 'email-service', baseDomains: ['relay.example'] },
      ]),
    );
    const index = senderIndex(loadSenderCatalogue(own));
    expect(index.get('relay.example')?.name).toBe('Our relay');
    expect(index.get('sendgrid.net')).toBeUndefined();
    const bad = file(
      'bad.json',
      JSON.stringify([{ name: 'x', category: 'spammer', baseDomains: ['a'] }]),
    );
    expect(() => loadSenderCatalogue(bad)).toThrow(/bad.json: 0.category/);
  });
});
