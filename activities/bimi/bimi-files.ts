import forge from 'node-forge';
import type { Finding } from '../common/check-report';

/** BIMI recommends logos of at most 32 KiB. */
export const MAX_SVG_BYTES = 32 * 1024;

/**
 * SVG Tiny PS checks on the text. Deliberately simple string/regex checks, not an XML parser:
 * they catch the common mistakes (wrong profile, scripts, external links) without claiming
 * full validation against the RelaxNG schema.
 */
export function checkBimiSvg(url: string, contentType: string, body: string): Finding[] {
  const findings: Finding[] = [];
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type !== 'image/svg+xml') {
    findings.push({
      id: 'bimi.svg-content-type',
      severity: 'fail',
      message: `The BIMI logo at ${url} is served as '${contentType}', not image/svg+xml.`,
      evidence: { url, contentType },
    });
  }
  const withoutProlog = body.replace(/<\?xml[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const root = /<([A-Za-z_][\w:.-]*)([^>]*)>/.exec(withoutProlog.replace(/<!DOCTYPE[^>]*>/gi, ''));
  const rootAttrs = root?.[2] ?? '';
  if (root?.[1] !== 'svg' || !/\bbaseProfile\s*=\s*["']tiny-ps["']/.test(rootAttrs)) {
    findings.push({
      id: 'bimi.svg-not-tiny-ps',
      severity: 'fail',
      message:
        root?.[1] !== 'svg'
          ? `The BIMI logo at ${url} is not an SVG document.`
          : `The BIMI logo at ${url} does not declare baseProfile="tiny-ps" (SVG Tiny PS).`,
      evidence: { url, root: root?.[0]?.slice(0, 300) ?? null },
    });
  }
  if (!/<title[\s>][\s\S]*?<\/title>/.test(body)) {
    findings.push({
      id: 'bimi.svg-no-title',
      severity: 'fail',
      message: `The BIMI logo at ${url} has no <title> element (SVG Tiny PS requires one).`,
      evidence: { url },
    });
  }
  if (/<script[\s>/]/i.test(body)) {
    findings.push({
      id: 'bimi.svg-script',
      severity: 'fail',
      message: `The BIMI logo at ${url} contains a <script> element.`,
      evidence: { url },
    });
  }
  if (/\bhref\s*=\s*["']\s*https?:/i.test(body)) {
    findings.push({
      id: 'bimi.svg-external-reference',
      severity: 'fail',
      message: `The BIMI logo at ${url} references external resources (href="http…").`,
      evidence: { url },
    });
  }
  if (root?.[1] === 'svg' && /\s[xy]\s*=/.test(rootAttrs)) {
    findings.push({
      id: 'bimi.svg-root-position',
      severity: 'fail',
      message: `The BIMI logo at ${url} has x= or y= on its root <svg> element, which SVG Tiny PS forbids.`,
      evidence: { url, root: root[0].slice(0, 300) },
    });
  }
  if (findings.length === 0) {
    findings.push({
      id: 'bimi.svg-valid',
      severity: 'pass',
      message: `The BIMI logo at ${url} is an SVG Tiny PS document (${body.length} bytes).`,
      evidence: { url },
    });
  }
  return findings;
}

/** The PEM mark certificate: present, in date, naming the domain (SAN or subject CN). */
export function checkBimiCertificate(
  url: string,
  pem: string,
  domain: string,
  now = new Date(),
): Finding[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const certs: forge.pki.Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(forge.pki.certificateFromPem(block));
    } catch {
      // Not parseable by node-forge (or not RSA): judged below as no usable certificate.
    }
  }
  if (certs.length === 0) {
    return [
      {
        id: 'bimi.certificate-invalid',
        severity: 'fail',
        message: `${url} holds no PEM certificate that could be parsed.`,
        evidence: { url, blocks: blocks.length },
      },
    ];
  }
  const leaf = certs[0]!;
  const findings: Finding[] = [];
  const { notBefore, notAfter } = leaf.validity;
  if (notAfter < now || notBefore > now) {
    findings.push({
      id: 'bimi.certificate-expired',
      severity: 'fail',
      message: `The BIMI mark certificate at ${url} is not valid now (valid ${notBefore.toISOString()} to ${notAfter.toISOString()}).`,
      evidence: { url, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() },
    });
  }
  const san = leaf.getExtension('subjectAltName') as {
    altNames?: Array<{ type: number; value: string }>;
  } | null;
  const names = [
    ...(san?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value.toLowerCase()),
    String(leaf.subject.getField('CN')?.value ?? '').toLowerCase(),
  ].filter((n) => n !== '');
  const d = domain.toLowerCase();
  // The mark certificate names the domain (or the organisational domain the record came from).
  if (!names.some((n) => n === d || d.endsWith(`.${n}`))) {
    findings.push({
      id: 'bimi.certificate-domain-mismatch',
      severity: 'fail',
      message: `The BIMI mark certificate at ${url} names ${names.join(', ') || 'no domain'}, not ${domain}.`,
      evidence: { url, names },
    });
  }
  if (findings.length === 0) {
    findings.push({
      id: 'bimi.certificate-valid',
      severity: 'pass',
      message: `The BIMI mark certificate at ${url} names ${domain} and is valid until ${notAfter.toISOString()}.`,
      evidence: { url, names, chain: certs.length },
    });
  }
  return findings;
}
