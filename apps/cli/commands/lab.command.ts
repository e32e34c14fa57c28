import { startLab } from '../../../lab/lab';

/** `perimeter lab`: runs the fake internet until interrupted. */
export async function labCommand(opts: { host: string; dnsPort: number }, out = console.log) {
  const lab = await startLab({ host: opts.host, dnsPort: opts.dnsPort });
  out(
    `lab DNS server on ${lab.dns.address} (udp+tcp); use SCANNER_RESOLVERS=${lab.resolvers.join(',')}`,
  );
  out(
    `lab web servers: use SCANNER_HTTPS_PORT=${lab.https.port} SCANNER_HTTP_PORT=${lab.http.port}`,
  );
  out(
    `lab TLS postures on 127.0.5.x:${lab.tls.port}, SMTP on 127.0.6.x:${lab.smtp.port}; use SCANNER_TLS_PORT=${lab.tls.port} SCANNER_SMTP_PORT=${lab.smtp.port}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
  return 0;
}
