import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

export interface IpInfo {
  country: string | null;
  asn: number | null;
  asName: string | null;
}

interface Range {
  network: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
  info: IpInfo;
}

/**
 * Country and ASN by network from a local CSV file (`cidr,country,asn,as_name` per line, `#`
 * comments): any of the free IP-to-ASN/country exports converts to it with one line of awk.
 * Longest prefix wins. Hand-written because the file is tiny to parse and needs no binary format.
 */
export class IpDatabase {
  private readonly ranges: Range[] = [];

  static load(file: string): IpDatabase {
    const db = new IpDatabase();
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, i) => {
      const t = line.trim();
      if (!t || t.startsWith('#')) return;
      const [cidr, country, asn, ...name] = t.split(',');
      let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
      try {
        parsed = ipaddr.parseCIDR(cidr.trim());
      } catch {
        throw new Error(`${file}:${i + 1}: "${cidr.slice(0, 60)}" is not a CIDR`);
      }
      const asNumber = asn?.trim() ? Number(asn.trim().replace(/^AS/i, '')) : null;
      if (asNumber !== null && !Number.isInteger(asNumber))
        throw new Error(`${file}:${i + 1}: "${asn}" is not an AS number`);
      db.ranges.push({
        network: parsed[0],
        prefix: parsed[1],
        info: {
          country: country?.trim().toUpperCase().slice(0, 2) || null,
          asn: asNumber,
          asName: name.join(',').trim() || null,
        },
      });
    });
    db.ranges.sort((a, b) => b.prefix - a.prefix);
    return db;
  }

  lookup(ip: string): IpInfo | undefined {
    const addr = ipaddr.process(ip);
    for (const r of this.ranges) {
      if (r.network.kind() === addr.kind() && addr.match(r.network, r.prefix)) return r.info;
    }
    return undefined;
  }
}
