import { describe, expect, it } from 'vitest';
import { canonicalNameWire, dsDigest, keyTag, matchDs } from './dnssec-keys';
import { parseServerAddress } from './raw-dns';

// RFC 4034 §5.4: the DNSKEY of dskey.example.com and its SHA-1 DS.
const RFC4034_KEY = {
  flags: 256,
  algorithm: 5,
  key: Buffer.from(
    'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==',
    'base64',
  ),
};

describe('DNSSEC key arithmetic', () => {
  it('computes the key tag and DS digest of RFC 4034 §5.4', () => {
    expect(keyTag(RFC4034_KEY)).toBe(60485);
    expect(dsDigest('dskey.example.com.', RFC4034_KEY, 1)!.toString('hex')).toBe(
      '2bb183af5f22588179a53b0a98631fad1a292118',
    );
    expect(dsDigest('dskey.example.com', RFC4034_KEY, 3)).toBeUndefined(); // GOST: not computable
  });

  it('writes names in canonical wire form', () => {
    expect(canonicalNameWire('Ab.C.').toString('hex')).toBe('0261620163' + '00');
    expect(canonicalNameWire('').toString('hex')).toBe('00');
  });

  it('matches DS records against keys', () => {
    const digest = dsDigest('dskey.example.com', RFC4034_KEY, 2)!;
    const ds = { keyTag: 60485, algorithm: 5, digestType: 2, digest };
    expect(matchDs('dskey.example.com', ds, [RFC4034_KEY])).toBe('match');
    expect(matchDs('other.example.com', ds, [RFC4034_KEY])).toBe('no-match');
    expect(matchDs('dskey.example.com', { ...ds, keyTag: 1 }, [RFC4034_KEY])).toBe('no-match');
    expect(matchDs('dskey.example.com', { ...ds, digestType: 3 }, [RFC4034_KEY])).toBe(
      'unverifiable',
    );
  });
});

describe('parseServerAddress', () => {
  it('reads the forms Resolver#getServers returns', () => {
    expect(parseServerAddress('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseServerAddress('9.9.9.9')).toEqual({ host: '9.9.9.9', port: 53 });
    expect(parseServerAddress('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseServerAddress('2620:fe::fe')).toEqual({ host: '2620:fe::fe', port: 53 });
    expect(parseServerAddress('dns.example')).toBeUndefined();
  });
});
