import tls from 'node:tls';
import type { Connector } from './probe';

export interface HandshakeResult {
  /** A full handshake with the local TLS library completed (certificate not verified here). */
  completed: boolean;
  protocol?: string;
  cipher?: string;
  /** The peer chain as the library saw it (DER, leaf first). */
  chain: Buffer[];
  /** The server stapled an OCSP response. */
  ocspStapled: boolean;
  error?: { code: string; message: string };
}

/**
 * A real handshake through Node's TLS client over a connection from `connect` (plain or after
 * STARTTLS): proves the service works end to end, and is how the chain and OCSP stapling of a
 * TLS 1.3 server are read (TLS 1.3 encrypts them, so the prober cannot). Legacy protocols and
 * suites are allowed so that old servers still complete.
 */
export async function completeHandshake(
  connect: Connector,
  opts: { sni?: string; timeoutMs: number },
): Promise<HandshakeResult> {
  let socket;
  try {
    socket = await connect(opts.timeoutMs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      completed: false,
      chain: [],
      ocspStapled: false,
      error: { code: e.code ?? 'EUNKNOWN', message: e.message },
    };
  }
  return new Promise<HandshakeResult>((resolve) => {
    let ocspStapled = false;
    let settled = false;
    const client = tls.connect({
      socket,
      servername: opts.sni,
      rejectUnauthorized: false,
      requestOCSP: true,
      minVersion: 'TLSv1',
      ciphers: 'ALL:@SECLEVEL=0',
    });
    const finish = (r: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.destroy();
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        finish({
          completed: false,
          chain: [],
          ocspStapled,
          error: { code: 'ETIMEDOUT', message: 'TLS handshake timed out' },
        }),
      opts.timeoutMs,
    );
    client.on('OCSPResponse', (response: Buffer) => {
      if (response?.length) ocspStapled = true;
    });
    client.once('secureConnect', () => {
      const chain: Buffer[] = [];
      let cert: tls.DetailedPeerCertificate | undefined = client.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(cert.raw);
        cert = cert.issuerCertificate;
      }
      finish({
        completed: true,
        protocol: client.getProtocol() ?? undefined,
        cipher: client.getCipher()?.standardName,
        chain,
        ocspStapled,
      });
    });
    client.once('error', (err: NodeJS.ErrnoException) =>
      finish({
        completed: false,
        chain: [],
        ocspStapled,
        error: { code: err.code ?? 'EUNKNOWN', message: err.message },
      }),
    );
  });
}
