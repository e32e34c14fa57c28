import type { MxRecord } from 'node:dns';
import type { CheckReport } from '../common/check-report';
import { lookup, lookupTxt, type CheckContext, type LookupResult } from '../common/dns-lookup';

export type TxtAnswer = LookupResult<{ value: string; strings: string[] }>;

/**
 * The DNS questions of one SPF scan, each asked once (a receiver's cache would do the same; the
 * lookup counting is semantic, not per packet). Collects every indeterminate answer.
 */
export class SpfDns {
  readonly undetermined: CheckReport['undetermined'] = [];
  private readonly answers = new Map<string, Promise<LookupResult<unknown>>>();

  constructor(private readonly ctx: CheckContext) {}

  txt(name: string): Promise<TxtAnswer> {
    return this.ask('TXT', name, () => lookupTxt(this.ctx.resolver, name));
  }

  a(name: string): Promise<LookupResult<string>> {
    return this.ask('A', name, () => lookup(() => this.ctx.resolver.resolve4(name)));
  }

  aaaa(name: string): Promise<LookupResult<string>> {
    return this.ask('AAAA', name, () => lookup(() => this.ctx.resolver.resolve6(name)));
  }

  /**
   * MX hosts by preference. A null MX (RFC 7505, exchange ".") names no host but is still an
   * answer, so the status stays `ok` (not a void lookup).
   */
  mx(name: string): Promise<LookupResult<string>> {
    return this.ask('MX', name, async () => {
      const answer = await lookup<MxRecord>(() => this.ctx.resolver.resolveMx(name));
      const records = answer.records
        .filter((r) => r.exchange !== '' && r.exchange !== '.')
        .sort((x, y) => x.priority - y.priority || x.exchange.localeCompare(y.exchange))
        .map((r) => r.exchange.toLowerCase().replace(/\.$/, ''));
      return { ...answer, records };
    });
  }

  /** A and AAAA together: `void` only when neither has an address. */
  async addresses(name: string): Promise<{
    result: 'ok' | 'void' | 'unknown';
    ipv4: string[];
    ipv6: string[];
  }> {
    const [v4, v6] = await Promise.all([this.a(name), this.aaaa(name)]);
    const ipv4 = v4.records;
    const ipv6 = v6.records;
    if (ipv4.length + ipv6.length > 0) return { result: 'ok', ipv4, ipv6 };
    const unknown = v4.status === 'unknown' || v6.status === 'unknown';
    return { result: unknown ? 'unknown' : 'void', ipv4, ipv6 };
  }

  noteUndetermined(name: string, type: string, code: string): void {
    this.undetermined.push({ name, type, code });
  }

  private ask<T>(type: string, name: string, query: () => Promise<LookupResult<T>>) {
    const key = `${type} ${name.toLowerCase()}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = query().then((result) => {
        if (result.status === 'unknown') {
          this.noteUndetermined(name, type, result.error?.code ?? 'EUNKNOWN');
        }
        return result;
      });
      this.answers.set(key, answer);
    }
    return answer as Promise<LookupResult<T>>;
  }
}
