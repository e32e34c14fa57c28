/**
 * What the catalogue adds to the scanners' own finding definitions: the Government of Canada
 * Tracker tag for the same result (their result processors' numbering: dmarcN, spfN, dkimN,
 * httpsN, sslN), and national guidance to cite. Tracker ids are recorded only where Tracker's tag
 * means the same thing as the finding.
 */
export interface TagEnrichment {
  trackerTagId?: string;
  references?: string[];
}

const GUIDE = 'https://www.cyber.gc.ca/en/guidance/implementation-guidance-email-domain-protection';
const ITPIN =
  'https://www.canada.ca/en/government/system/digital-government/modern-emerging-technologies/policy-implementation-notices/implementing-https-secure-web-connections-itpin.html';
const ITSP40062 =
  'https://www.cyber.gc.ca/en/guidance/guidance-securely-configuring-network-protocols-itsp40062';

const cccs = (anchor: string, heading: string) => `CCCS ${heading}: ${GUIDE}#${anchor}`;
const DEPLOY_DMARC = cccs('anna23', 'A.2.3 Deploy initial DMARC record');
const DEPLOY_SPF = cccs('anna33', 'A.3.3 Deploy SPF for all domains');
const DEPLOY_DKIM = cccs('anna34', 'A.3.4 Deploy DKIM for all domains and senders');
const MONITOR = cccs('anna35', 'A.3.5 Monitor DMARC reports and correct misconfigurations');
const ENFORCE = cccs('anna4', 'A.4 Enforce');
const MAINTAIN = cccs('anna5', 'A.5 Maintain');
const SPF_RECORDS = cccs('annb11', 'B.1.1 SPF records');
const SPF_LIMIT = cccs('annb13', 'B.1.3 DNS lookup limit');
const DKIM_RECORDS = cccs('annb21', 'B.2.1 DKIM records');
const DKIM_CRYPTO = cccs('annb22', 'B.2.2 Cryptographic considerations');
const DMARC_RECORDS = cccs('annb31', 'B.3.1 DMARC records');
const HTTPS_ITPIN = `TBS ITPIN 2018-01 Implementing HTTPS for secure web connections, §6: ${ITPIN}#toc6`;
const TLS_ITSP = `CCCS ITSP.40.062 Guidance on securely configuring network protocols: ${ITSP40062}`;

export const findingEnrichment: Record<string, TagEnrichment> = {
  // DMARC
  'dmarc.missing': { trackerTagId: 'dmarc2', references: [DEPLOY_DMARC] },
  'dmarc.p-missing': { trackerTagId: 'dmarc3', references: [DEPLOY_DMARC] },
  'dmarc.policy-none': { trackerTagId: 'dmarc4', references: [MONITOR] },
  'dmarc.policy-quarantine': { trackerTagId: 'dmarc5', references: [ENFORCE] },
  'dmarc.policy-reject': { trackerTagId: 'dmarc6', references: [MAINTAIN] },
  'dmarc.pct-partial': { trackerTagId: 'dmarc8', references: [DMARC_RECORDS] },
  'dmarc.no-rua': { trackerTagId: 'dmarc12', references: [DEPLOY_DMARC] },
  'dmarc.external-destination-authorised': { trackerTagId: 'dmarc14' },
  'dmarc.external-destination-unauthorised': { trackerTagId: 'dmarc15' },
  'dmarc.pct-with-none': { trackerTagId: 'dmarc20' },
  'dmarc.pct-zero': { trackerTagId: 'dmarc21', references: [DMARC_RECORDS] },
  'dmarc.cname': { trackerTagId: 'dmarc22' },
  'dmarc.syntax-valid': { trackerTagId: 'dmarc23', references: [DMARC_RECORDS] },
  'dmarc.rua-present': { references: [DMARC_RECORDS] },
  'dmarc.subdomain-policy-weaker': { references: [DEPLOY_DMARC] },
  // SPF
  'spf.missing': { trackerTagId: 'spf2', references: [DEPLOY_SPF] },
  'spf.missing-all': { trackerTagId: 'spf4', references: [SPF_RECORDS] },
  'spf.plus-all': { trackerTagId: 'spf5', references: [SPF_RECORDS] },
  'spf.neutral-all': { trackerTagId: 'spf6', references: [SPF_RECORDS] },
  'spf.soft-fail': { trackerTagId: 'spf7', references: [SPF_RECORDS] },
  'spf.hard-fail': { trackerTagId: 'spf8', references: [SPF_RECORDS] },
  'spf.redirect': { trackerTagId: 'spf9', references: [SPF_RECORDS] },
  'spf.too-many-lookups': { trackerTagId: 'spf11', references: [SPF_LIMIT] },
  'spf.lookups-at-limit': { references: [SPF_LIMIT] },
  'spf.valid': { trackerTagId: 'spf12', references: [SPF_RECORDS] },
  'spf.syntax-error': { trackerTagId: 'spf13', references: [SPF_RECORDS] },
  // DKIM
  'dkim.rsa-key-too-short': { trackerTagId: 'dkim5', references: [DKIM_CRYPTO] },
  'dkim.rsa-key-1024': { trackerTagId: 'dkim6', references: [DKIM_CRYPTO] },
  'dkim.rsa-key-2048': { trackerTagId: 'dkim7', references: [DKIM_CRYPTO] },
  'dkim.rsa-key-4096': { trackerTagId: 'dkim8', references: [DKIM_CRYPTO] },
  'dkim.invalid-key': { trackerTagId: 'dkim9', references: [DKIM_RECORDS] },
  'dkim.ed25519-key': { trackerTagId: 'dkim11', references: [DKIM_CRYPTO] },
  'dkim.invalid-record': { trackerTagId: 'dkim12', references: [DKIM_RECORDS] },
  'dkim.testing-mode': { trackerTagId: 'dkim13', references: [DKIM_RECORDS] },
  'dkim.duplicate-key': { trackerTagId: 'dkim14' },
  'dkim.key-revoked': { trackerTagId: 'dkim15', references: [DKIM_RECORDS] },
  'dkim.no-selector-found': { trackerTagId: 'dkim16', references: [DEPLOY_DKIM] },
  // Web (pshtt-style checks; Tracker's httpsN numbering of its current result processor).
  'web.https-missing': { trackerTagId: 'https2', references: [HTTPS_ITPIN] },
  'web.https-downgrades': { trackerTagId: 'https3', references: [HTTPS_ITPIN] },
  'web.certificate-untrusted': { trackerTagId: 'https4', references: [HTTPS_ITPIN] },
  'web.certificate-bad-hostname': { trackerTagId: 'https5', references: [HTTPS_ITPIN] },
  'web.https-not-enforced': { trackerTagId: 'https6', references: [HTTPS_ITPIN] },
  'web.not-live': { trackerTagId: 'https13' },
  'web.redirects-to-other-host': { trackerTagId: 'https14', references: [HTTPS_ITPIN] },
  'web.https-enforced': { trackerTagId: 'https15', references: [HTTPS_ITPIN] },
  'hsts.missing': { trackerTagId: 'https9', references: [HTTPS_ITPIN] },
  'hsts.max-age-short': { trackerTagId: 'https10', references: [HTTPS_ITPIN] },
  'hsts.preload-ready': { trackerTagId: 'https11', references: [HTTPS_ITPIN] },
  'hsts.valid': { trackerTagId: 'https16', references: [HTTPS_ITPIN] },
  // TLS and certificates (Tracker's sslN).
  'tls.no-tls': { trackerTagId: 'ssl2', references: [TLS_ITSP] },
  'tls.cipher-rc4': { trackerTagId: 'ssl3', references: [TLS_ITSP] },
  'tls.cipher-3des': { trackerTagId: 'ssl4', references: [TLS_ITSP] },
  'certificate.expired': { trackerTagId: 'ssl10', references: [HTTPS_ITPIN] },
  'certificate.self-signed': { trackerTagId: 'ssl11', references: [HTTPS_ITPIN] },
  'certificate.hostname-mismatch': { trackerTagId: 'ssl15', references: [HTTPS_ITPIN] },
  'certificate.untrusted': { trackerTagId: 'ssl16', references: [HTTPS_ITPIN] },
  'tls.weak-groups': { trackerTagId: 'ssl17', references: [TLS_ITSP] },
  'tls.protocols-modern': { trackerTagId: 'ssl18', references: [TLS_ITSP] },
  'certificate.valid': { trackerTagId: 'ssl21', references: [HTTPS_ITPIN] },
  'tls.ssl2-supported': { trackerTagId: 'ssl24', references: [TLS_ITSP] },
  'tls.ssl3-supported': { trackerTagId: 'ssl24', references: [TLS_ITSP] },
  'tls.tls10-supported': { trackerTagId: 'ssl24', references: [TLS_ITSP] },
  'tls.tls11-supported': { trackerTagId: 'ssl24', references: [TLS_ITSP] },
  'certificate.chain-order': { trackerTagId: 'ssl25', references: [HTTPS_ITPIN] },
  // SMTP STARTTLS: Tracker has no tags for it.
  'smtp-tls.starttls-everywhere': { references: [TLS_ITSP] },
  'smtp-tls.tls10-supported': { references: [TLS_ITSP] },
  'smtp-tls.tls11-supported': { references: [TLS_ITSP] },
};
