import {
  buildClientHello,
  buildSsl2ClientHello,
  EXT,
  ProtocolVersions,
  type ClientHelloOptions,
  type ProtocolVersion,
} from './client-hello';
import {
  cipherSuite,
  CIPHER_SUITES,
  LEGACY_SUITES,
  NAMED_GROUPS,
  groupName,
  TLS13_SUITES,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
  TLS_FALLBACK_SCSV,
} from './cipher-suites';
import { probe, type Connector, type ProbeOutcome } from './probe';
import type { ServerHelloInfo, ServerReply } from './server-reply';

export interface ProbeTarget {
  /** Server Name Indication (a host name; never an IP address). */
  sni?: string;
  connect: Connector;
}

export interface ProberOptions {
  /** Per handshake, connection included. */
  timeoutMs: number;
  /** Handshakes at once against this server. */
  concurrency: number;
  /** Once aborted (the activity was cancelled), no new handshake starts. */
  signal?: AbortSignal;
}

export type Support = 'accepted' | 'refused' | 'unknown';

export interface ProtocolCiphers {
  /** IANA names: in the server's order when it has one, otherwise in the order found. */
  suites: string[];
  /** The server picks by its own preference (null: fewer than two suites, or undetermined). */
  serverPreference: boolean | null;
  /** Enumeration stopped on a timeout: the list may be incomplete. */
  complete: boolean;
}

export interface TlsProbeResult {
  /** At least one connection was made. */
  reachable: boolean;
  connectError?: { code: string; message: string };
  protocols: Record<ProtocolVersion, Support>;
  ciphers: Partial<Record<ProtocolVersion, ProtocolCiphers>>;
  /** SSL 2.0 cipher kinds the server listed. */
  ssl2Ciphers: string[];
  /** Key-exchange groups accepted (TLS 1.3, else ECDHE in TLS 1.2 and older). */
  groups: string[];
  /** Smallest DHE prime the server used, in bits. */
  dhBits: number | null;
  /** null where not applicable or undetermined. */
  compression: boolean | null;
  secureRenegotiation: boolean | null;
  extendedMasterSecret: boolean | null;
  ocspStapling: boolean | null;
  fallbackScsv: boolean | null;
  /** Certificates as sent in a TLS ≤ 1.2 handshake (DER), in order. */
  certificates: Buffer[];
  /** What could not be determined (timeouts). */
  undetermined: string[];
  handshakes: number;
}

/** Bounded concurrency for a set of handshakes. */
export function limiter(max: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so no newcomer slips in between.
    if (active >= max) await new Promise<void>((r) => queue.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

const accepted = (
  o: ProbeOutcome,
  v: ProtocolVersion,
): o is Extract<ServerReply, { kind: 'hello' }> => o.kind === 'hello' && o.hello.version === v;

function support(o: ProbeOutcome, v: ProtocolVersion): Support {
  if (v === 'ssl2')
    return o.kind === 'ssl2-hello'
      ? 'accepted'
      : o.kind === 'timeout' || o.kind === 'connect-failed'
        ? 'unknown'
        : 'refused';
  if (accepted(o, v)) return 'accepted';
  return o.kind === 'timeout' || o.kind === 'connect-failed' ? 'unknown' : 'refused';
}

const suitesFor = (v: ProtocolVersion) => (v === 'tls1.3' ? TLS13_SUITES : LEGACY_SUITES);

/**
 * What a server accepts, found with hand-built hellos (see client-hello.ts): protocols, suites
 * per protocol and the server's order, groups, and the extensions its ServerHello echoes.
 * About 30–60 handshakes per server, at most `concurrency` at once.
 */
export async function probeTls(target: ProbeTarget, opts: ProberOptions): Promise<TlsProbeResult> {
  const run = limiter(opts.concurrency);
  let handshakes = 0;
  const undetermined: string[] = [];
  let connectError: TlsProbeResult['connectError'];
  let reachable = false;
  const send = (hello: Omit<ClientHelloOptions, 'sni'>): Promise<ProbeOutcome> =>
    run(async () => {
      if (opts.signal?.aborted) return { kind: 'timeout' } as const;
      handshakes++;
      const o = await probe(target.connect, buildClientHello({ ...hello, sni: target.sni }), {
        timeoutMs: opts.timeoutMs,
      });
      if (o.kind === 'connect-failed') connectError ??= { code: o.code, message: o.message };
      else if (o.kind !== 'timeout') reachable = true;
      return o;
    });
  const hello = (v: Exclude<ProtocolVersion, 'ssl2'>, extra: Partial<ClientHelloOptions> = {}) =>
    send({
      version: v,
      suites: v === 'ssl3' ? [...suitesFor(v), TLS_EMPTY_RENEGOTIATION_INFO_SCSV] : suitesFor(v),
      noExtensions: v === 'ssl3',
      ...extra,
    });

  // 1. Which protocols.
  const first = new Map<ProtocolVersion, ProbeOutcome>();
  await Promise.all(
    ProtocolVersions.map(async (v) => {
      const o =
        v === 'ssl2'
          ? await run(async () => {
              if (opts.signal?.aborted) return { kind: 'timeout' } as const;
              handshakes++;
              const r = await probe(target.connect, buildSsl2ClientHello(), {
                timeoutMs: opts.timeoutMs,
                ssl2: true,
              });
              if (r.kind !== 'timeout' && r.kind !== 'connect-failed') reachable = true;
              return r;
            })
          : await hello(v);
      first.set(v, o);
    }),
  );
  const protocols = Object.fromEntries(
    ProtocolVersions.map((v) => [v, support(first.get(v)!, v)]),
  ) as Record<ProtocolVersion, Support>;
  for (const v of ProtocolVersions)
    if (protocols[v] === 'unknown') undetermined.push(`protocol ${v}`);
  const ssl2 = first.get('ssl2')!;
  const result: TlsProbeResult = {
    reachable,
    connectError: reachable ? undefined : connectError,
    protocols,
    ciphers: {},
    ssl2Ciphers: ssl2.kind === 'ssl2-hello' ? ssl2.ciphers : [],
    groups: [],
    dhBits: null,
    compression: null,
    secureRenegotiation: null,
    extendedMasterSecret: null,
    ocspStapling: null,
    fallbackScsv: null,
    certificates: ssl2.kind === 'ssl2-hello' ? ssl2.certificates : [],
    undetermined,
    handshakes: 0,
  };
  if (!reachable) {
    result.handshakes = handshakes;
    return result;
  }

  const tlsAccepted = ProtocolVersions.filter(
    (v) => v !== 'ssl2' && protocols[v] === 'accepted',
  ) as Array<Exclude<ProtocolVersion, 'ssl2'>>;
  const legacy = tlsAccepted.filter((v) => v !== 'tls1.3');
  const bestLegacy = legacy.at(-1);
  const noteDh = (o: ProbeOutcome) => {
    if (o.kind === 'hello' && o.keyExchange?.dhBits) {
      result.dhBits = Math.min(result.dhBits ?? Infinity, o.keyExchange.dhBits);
    }
  };

  // 2. Suites per protocol, then whether the server imposes its order.
  await Promise.all(
    tlsAccepted.map(async (v) => {
      const found: number[] = [];
      let remaining = [...suitesFor(v)];
      let complete = true;
      let o = first.get(v)!;
      while (remaining.length > 0) {
        if (!accepted(o, v)) {
          if (o.kind === 'timeout') complete = false;
          break;
        }
        const chosen = o.hello.suite;
        noteDh(o);
        if (!remaining.includes(chosen) || found.includes(chosen)) break;
        found.push(chosen);
        remaining = remaining.filter((s) => s !== chosen);
        if (remaining.length === 0) break;
        o = await hello(v, {
          suites: v === 'ssl3' ? [...remaining, TLS_EMPTY_RENEGOTIATION_INFO_SCSV] : remaining,
        });
      }
      let serverPreference: boolean | null = null;
      if (found.length >= 2) {
        const reversed = await hello(v, { suites: [...found].reverse() });
        if (accepted(reversed, v)) serverPreference = reversed.hello.suite === found[0];
        else if (reversed.kind === 'timeout') undetermined.push(`cipher order ${v}`);
      }
      if (!complete) undetermined.push(`cipher suites ${v}`);
      result.ciphers[v] = {
        suites: found.map((c) => cipherSuite(c).name),
        serverPreference,
        complete,
      };
    }),
  );

  // 3. What the ServerHello of the best TLS ≤ 1.2 handshake echoes.
  const tasks: Array<Promise<void>> = [];
  if (bestLegacy) {
    const o = first.get(bestLegacy)!;
    if (accepted(o, bestLegacy)) {
      const ext = new Set(o.hello.extensions);
      result.secureRenegotiation = ext.has(EXT.renegotiationInfo);
      result.extendedMasterSecret =
        bestLegacy === 'ssl3' ? false : ext.has(EXT.extendedMasterSecret);
      result.ocspStapling = ext.has(EXT.statusRequest) || o.ocspStapled;
    }
    tasks.push(
      (async () => {
        const c = await hello(bestLegacy, { compression: [1, 0] });
        if (accepted(c, bestLegacy)) result.compression = c.hello.compression !== 0;
        else if (c.kind === 'timeout') undetermined.push('compression');
        else result.compression = false;
      })(),
    );
    // The certificate chain as sent (an anonymous suite has none: ask again without those).
    tasks.push(
      (async () => {
        const withCert = legacy
          .map((v) => first.get(v)!)
          .find((x) => x.kind === 'hello' && x.certificates.length > 0);
        if (withCert?.kind === 'hello') {
          result.certificates = withCert.certificates;
          return;
        }
        const named = CIPHER_SUITES.filter((s) => !s.tls13 && !s.anonymous).map((s) => s.code);
        const c = await hello(bestLegacy, { suites: named });
        if (c.kind === 'hello') result.certificates = c.certificates;
      })(),
    );
  }
  // TLS 1.3 alone: no renegotiation and a master secret always bound to the handshake, so
  // secureRenegotiation and extendedMasterSecret stay null (not applicable).

  // 4. TLS_FALLBACK_SCSV: a lower version with the signal must be refused by a server that can do better.
  if (tlsAccepted.length >= 2) {
    const lower = tlsAccepted.at(-2)!;
    tasks.push(
      (async () => {
        const o = await hello(lower, {
          suites: [...suitesFor(lower), TLS_FALLBACK_SCSV],
        });
        if (o.kind === 'alert' && o.description === 86) result.fallbackScsv = true;
        else if (accepted(o, lower)) result.fallbackScsv = false;
        else if (o.kind === 'timeout') undetermined.push('TLS_FALLBACK_SCSV');
        else result.fallbackScsv = false;
      })(),
    );
  }

  // 5. Groups: in TLS 1.3 every group (no key share needed: the server asks for one with a
  // HelloRetryRequest); otherwise the ECDHE curves, read from ServerKeyExchange.
  const groups = new Set<number>();
  if (tlsAccepted.includes('tls1.3')) {
    for (const g of Object.keys(NAMED_GROUPS).map(Number)) {
      tasks.push(
        (async () => {
          const o = await hello('tls1.3', { groups: [g] });
          if (accepted(o, 'tls1.3') && (o.hello.keyShareGroup ?? g) === g) groups.add(g);
          else if (o.kind === 'timeout') undetermined.push(`group ${groupName(g)}`);
        })(),
      );
    }
  } else if (bestLegacy && bestLegacy !== 'ssl3') {
    const ecdhe = CIPHER_SUITES.filter((s) => !s.tls13 && s.kex.startsWith('ECDHE')).map(
      (s) => s.code,
    );
    const offered = result.ciphers[bestLegacy]?.suites ?? [];
    if (offered.some((n) => n.startsWith('TLS_ECDHE'))) {
      for (const [code, g] of Object.entries(NAMED_GROUPS)) {
        if (!g.ec) continue;
        tasks.push(
          (async () => {
            const o = await hello(bestLegacy, { suites: ecdhe, groups: [Number(code)] });
            if (accepted(o, bestLegacy) && o.keyExchange?.group === Number(code))
              groups.add(Number(code));
            else if (o.kind === 'timeout') undetermined.push(`group ${g.name}`);
          })(),
        );
      }
    }
  }
  await Promise.all(tasks);
  result.groups = [...groups].sort((a, b) => a - b).map(groupName);
  result.handshakes = handshakes;
  return result;
}

/** The wire version to name map, for callers that print. */
export type { ServerHelloInfo };
