import { describe, expect, it } from 'vitest';
import { isAtOrBelow, organisationalDomain, treeWalkNames } from './organisational-domain';

describe('organisationalDomain (RFC 7489 §3.2)', () => {
  it('uses the Public Suffix List, ICANN and private sections', () => {
    expect(organisationalDomain('www.example.com')).toBe('example.com');
    expect(organisationalDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(organisationalDomain('me.blogspot.com')).toBe('me.blogspot.com');
    expect(organisationalDomain('Mail.Example.COM.')).toBe('example.com');
  });

  it('is undefined for a public suffix', () => {
    expect(organisationalDomain('co.uk')).toBeUndefined();
    expect(organisationalDomain('com')).toBeUndefined();
  });

  it('treats the configured suffixes as public, the longer suffix winning', () => {
    const extra = ['perimeter.test'];
    expect(organisationalDomain('a.b.perimeter.test', extra)).toBe('b.perimeter.test');
    expect(organisationalDomain('b.perimeter.test', extra)).toBe('b.perimeter.test');
    expect(organisationalDomain('perimeter.test', extra)).toBeUndefined();
    expect(organisationalDomain('a.b.perimeter.test')).toBe('perimeter.test');
    expect(organisationalDomain('x.example.co.uk', ['uk'])).toBe('example.co.uk');
  });
});

describe('treeWalkNames (RFC 9989 §4.10)', () => {
  it('walks from the domain up to the organisational domain, one label at a time', () => {
    expect(treeWalkNames('a.b.example.com', 'example.com')).toEqual([
      'a.b.example.com',
      'b.example.com',
      'example.com',
    ]);
    expect(treeWalkNames('example.com', 'example.com')).toEqual(['example.com']);
    expect(treeWalkNames('co.uk', undefined)).toEqual(['co.uk']);
  });

  it('shortens a name of eight or more labels to seven after the first query', () => {
    const long = 'a.b.c.d.e.f.g.h.i.j.mail.example.com';
    const names = treeWalkNames(long, 'example.com');
    expect(names).toEqual([
      long,
      'g.h.i.j.mail.example.com',
      'h.i.j.mail.example.com',
      'i.j.mail.example.com',
      'j.mail.example.com',
      'mail.example.com',
      'example.com',
    ]);
    // Down to the TLD it would be exactly the eight queries of the RFC's example.
    expect(treeWalkNames(long, 'com')).toHaveLength(8);
    expect(treeWalkNames('a.b.c.d.e.f.example.com', 'example.com')[1]).toBe(
      'b.c.d.e.f.example.com',
    );
  });
});

describe('isAtOrBelow', () => {
  it('matches whole labels only', () => {
    expect(isAtOrBelow('example.com', 'example.com')).toBe(true);
    expect(isAtOrBelow('a.example.com', 'example.com')).toBe(true);
    expect(isAtOrBelow('badexample.com', 'example.com')).toBe(false);
  });
});
