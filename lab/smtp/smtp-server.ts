import net from 'node:net';
import tls from 'node:tls';
import type { LabCa } from '../https/lab-ca';
import { startOnSharedPort, type LabTlsServers } from '../tls/tls-servers';

/**
 * Lab SMTP servers: just the dialogue a STARTTLS check has (banner, EHLO, STARTTLS, QUIT), with
 * a posture per server. Hand-written because the "broken" posture (STARTTLS advertised, then no
 * TLS) is exactly what a well-behaved SMTP server library refuses to do.
 */
export type LabSmtpPosture =
  /** STARTTLS with a TLS server. */
  | { kind: 'starttls'; tls: tls.SecureContextOptions }
  /** No STARTTLS in the EHLO reply. */
  | { kind: 'plain' }
  /** STARTTLS advertised and accepted with 220, then plain text instead of TLS. */
  | { kind: 'broken' }
  /** Greets with 554: no SMTP service for anyone. */
  | { kind: 'refusing' };

export interface LabSmtpHost {
  address: string;
  /** The MX host name (the zone points it at `address`). */
  name: string;
  posture: LabSmtpPosture;
}

/** The lab's SMTP postures (lab/zones/smtp-*.perimeter.test.zone point at these addresses). */
export function labSmtpHosts(ca: LabCa): LabSmtpHost[] {
  const mx = (n: string) => `mail.smtp-${n}.perimeter.test`;
  const good = ca.issue([mx('good')]);
  const weak = ca.issue([mx('weak')], { selfSigned: true });
  return [
    {
      address: '127.0.6.1',
      name: mx('good'),
      posture: {
        kind: 'starttls',
        tls: {
          cert: good.certPem,
          key: good.keyPem,
          minVersion: 'TLSv1.2',
          ciphers:
            'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305',
          honorCipherOrder: true,
        },
      },
    },
    { address: '127.0.6.2', name: mx('missing'), posture: { kind: 'plain' } },
    { address: '127.0.6.3', name: mx('broken'), posture: { kind: 'broken' } },
    { address: '127.0.6.5', name: mx('refusing'), posture: { kind: 'refusing' } },
    {
      address: '127.0.6.4',
      name: mx('weak'),
      posture: {
        kind: 'starttls',
        tls: {
          cert: weak.certPem,
          key: weak.keyPem,
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1.1',
          ciphers: 'ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0',
        },
      },
    },
  ];
}

/** One SMTP conversation; `plainSocket` may be upgraded to TLS halfway. */
function converse(host: LabSmtpHost, context: tls.SecureContext | undefined, plain: net.Socket) {
  let socket: net.Socket = plain;
  let secure = false;
  let buffer = '';
  const say = (line: string) => socket.write(`${line}\r\n`);
  plain.setTimeout(15_000, () => plain.destroy());
  plain.on('error', () => plain.destroy());
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    if (buffer.length > 8192) {
      socket.destroy();
      return;
    }
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') {
        const offers = host.posture.kind !== 'plain' && !secure;
        say(`250-${host.name} greets you`);
        say('250-PIPELINING');
        if (offers) say('250-STARTTLS');
        say('250 8BITMIME');
      } else if (verb === 'STARTTLS' && host.posture.kind !== 'plain' && !secure) {
        say('220 2.0.0 Ready to start TLS');
        if (host.posture.kind === 'broken') {
          socket.end('this is not a TLS handshake\r\n');
          return;
        }
        plain.removeListener('data', onData);
        const upgraded = new tls.TLSSocket(plain, { isServer: true, secureContext: context });
        upgraded.on('error', () => plain.destroy());
        upgraded.on('data', onData);
        socket = upgraded;
        secure = true;
        buffer = '';
        return;
      } else if (verb === 'QUIT') {
        say('221 2.0.0 Bye');
        socket.end();
        return;
      } else if (verb === 'NOOP' || verb === 'RSET') {
        say('250 2.0.0 OK');
      } else {
        say('502 5.5.1 Not implemented in the lab');
      }
    }
  };
  plain.on('data', onData);
  if (host.posture.kind === 'refusing') {
    plain.end(`554 5.3.2 ${host.name} no SMTP service here\r\n`);
    return;
  }
  say(`220 ${host.name} ESMTP Perimeter lab`);
}

function smtpServerFor(host: LabSmtpHost): net.Server {
  const context =
    host.posture.kind === 'starttls' ? tls.createSecureContext(host.posture.tls) : undefined;
  return net.createServer((socket) => converse(host, context, socket));
}

/** The lab SMTP postures, each on its own address, all on one port. */
export function startLabSmtpServers(hosts: LabSmtpHost[], port?: number): Promise<LabTlsServers> {
  return startOnSharedPort(hosts, smtpServerFor, port);
}
