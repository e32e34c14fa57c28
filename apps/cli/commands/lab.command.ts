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
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
  return 0;
}
