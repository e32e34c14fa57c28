import type { PostureCheck } from '../libs/contracts';
import { BimiFindings } from './bimi/bimi.findings';
import { scanBimi } from './bimi/bimi.scanner';
import { CaaFindings } from './caa/caa.findings';
import { scanCaa } from './caa/caa.scanner';
import type { CheckContext } from './common/dns-lookup';
import type { CheckReport, FindingDefinition } from './common/check-report';
import { DkimFindings } from './dkim/dkim.findings';
import { scanDkim } from './dkim/dkim.scanner';
import { DmarcFindings } from './dmarc/dmarc.findings';
import { scanDmarc } from './dmarc/dmarc.scanner';
import { DnssecFindings } from './dnssec/dnssec.findings';
import { scanDnssec } from './dnssec/dnssec.scanner';
import { MtaStsFindings } from './mta-sts/mta-sts.findings';
import { scanMtaSts } from './mta-sts/mta-sts.scanner';
import { MxFindings } from './mx/mx.findings';
import { scanMx } from './mx/mx.scanner';
import { SpfFindings } from './spf/spf.findings';
import { scanSpf } from './spf/spf.scanner';
import { TlsRptFindings } from './tls-rpt/tls-rpt.findings';
import { scanTlsRpt } from './tls-rpt/tls-rpt.scanner';
import { SmtpTlsFindings } from './smtp/smtp.findings';
import { scanSmtp } from './smtp/smtp.scanner';
import { CertificateFindings, TlsFindings } from './tls/tls.findings';
import { scanTls } from './tls/tls.scanner';
import { HeadersFindings, HstsFindings, WebFindings } from './web/web.findings';
import { DmarcReportFindings } from './dmarc-reports/dmarc-reports.findings';
import { scanWeb } from './web/web.scanner';

export interface PostureCheckOptions {
  dkimSelectors?: string[];
}

type Engine = (
  domain: string,
  ctx: CheckContext,
  opts: PostureCheckOptions,
) => Promise<CheckReport<object>>;

/** One engine per check, shared by the worker's activities and the CLI. */
export const postureChecks: Record<PostureCheck, Engine> = {
  dmarc: (d, ctx) => scanDmarc(d, ctx),
  spf: (d, ctx) => scanSpf(d, ctx),
  dkim: (d, ctx, opts) => scanDkim(d, ctx, { selectors: opts.dkimSelectors }),
  mx: (d, ctx) => scanMx(d, ctx),
  'mta-sts': (d, ctx) => scanMtaSts(d, ctx),
  'tls-rpt': (d, ctx) => scanTlsRpt(d, ctx),
  bimi: (d, ctx) => scanBimi(d, ctx),
  tls: (d, ctx) => scanTls(d, ctx),
  smtp: (d, ctx) => scanSmtp(d, ctx),
  dnssec: (d, ctx) => scanDnssec(d, ctx),
  caa: (d, ctx) => scanCaa(d, ctx),
  web: (d, ctx) => scanWeb(d, ctx),
};

/** Every finding any check can report, by id. */
export const findingCatalogue: Record<string, FindingDefinition> = {
  ...DmarcFindings,
  ...SpfFindings,
  ...DkimFindings,
  ...MxFindings,
  ...MtaStsFindings,
  ...TlsRptFindings,
  ...TlsFindings,
  ...CertificateFindings,
  ...SmtpTlsFindings,
  ...BimiFindings,
  ...DnssecFindings,
  ...CaaFindings,
  ...WebFindings,
  ...HstsFindings,
  ...HeadersFindings,
  // Not a check of the domain: what its received DMARC aggregate reports say (guidance step).
  ...DmarcReportFindings,
};
