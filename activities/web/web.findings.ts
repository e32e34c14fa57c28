import type { FindingDefinition } from '../common/check-report';

const PSHTT =
  'pshtt (CISA): HTTPS best-practice definitions (live, valid HTTPS, downgrades, strictly forces HTTPS)';
const RFC9110 = 'RFC 9110: HTTP Semantics (§15.4, redirection)';
const RFC5280 =
  'RFC 5280: Internet X.509 Public Key Infrastructure Certificate and CRL Profile (§6, path validation)';
const RFC6125 = 'RFC 9525 (was RFC 6125): Service Identity in TLS';
const RFC6797 = 'RFC 6797: HTTP Strict Transport Security (HSTS)';
const PRELOAD = 'hstspreload.org: submission requirements of the HSTS preload list';
const RFC6265 =
  'RFC 6265bis: Cookies: HTTP State Management Mechanism (Secure, HttpOnly, SameSite)';
const RFC9116 =
  'RFC 9116: A File Format to Aid in Security Vulnerability Disclosure (security.txt)';
const OBSERVATORY = 'Mozilla HTTP Observatory: tests and scoring';
const CSP3 = 'W3C Content Security Policy Level 3';
const M1513 = 'OMB M-15-13 / BOD 18-01: HTTPS-only and HSTS for public web services';

/** The web scanner's findings about HTTPS behaviour, certificates, cookies and security.txt. */
export const WebFindings: Record<string, FindingDefinition> = {
  'web.https-enforced': {
    id: 'web.https-enforced',
    severity: 'pass',
    title: 'Web: HTTPS strictly enforced',
    explanation:
      'Every live HTTP endpoint (http://<domain> and http://www.<domain>) redirects straight to an HTTPS URL, the canonical HTTPS endpoint has a valid certificate, and HTTPS never redirects back to HTTP (pshtt: strictly forces HTTPS, valid HTTPS, no downgrade).',
    references: [PSHTT, M1513],
  },
  'web.https-valid': {
    id: 'web.https-valid',
    severity: 'pass',
    title: 'Web: valid HTTPS',
    explanation:
      'The canonical HTTPS endpoint presents a certificate that chains to a trusted root, covers its host name and is in date (Node’s TLS verification, with the configured extra trust anchors).',
    references: [PSHTT, RFC5280, RFC6125],
  },
  'web.https-not-enforced': {
    id: 'web.https-not-enforced',
    severity: 'fail',
    title: 'Web: HTTPS available but not enforced',
    explanation:
      'The domain answers over HTTPS, but at least one HTTP endpoint serves content (or redirects to another HTTP URL) instead of redirecting straight to HTTPS. Visitors who type the name or follow an old link stay on plain HTTP, where the page can be read and changed in transit.',
    fix: 'Make http://<domain>/ and http://www.<domain>/ answer with a 301 to the same URL over https://, then add HSTS.',
    references: [PSHTT, M1513, RFC9110],
  },
  'web.https-missing': {
    id: 'web.https-missing',
    severity: 'fail',
    title: 'Web: no HTTPS',
    explanation:
      'The web site answers over plain HTTP only: no HTTPS endpoint completes a TLS handshake. Everything visitors send and receive can be read and altered on the way.',
    fix: 'Obtain a certificate (for example from an ACME CA such as Let’s Encrypt) for the domain and www, serve the site over HTTPS, and redirect HTTP to it.',
    references: [PSHTT, M1513],
  },
  'web.https-downgrades': {
    id: 'web.https-downgrades',
    severity: 'fail',
    title: 'Web: HTTPS redirects to HTTP',
    explanation:
      'The canonical HTTPS endpoint immediately redirects to a plain http:// URL (pshtt: downgrades HTTPS). Visitors who arrive securely are sent to an insecure page, and HSTS cannot be deployed.',
    fix: 'Remove the redirect to http://; serve the content over HTTPS and redirect HTTP to HTTPS instead.',
    references: [PSHTT, RFC9110],
  },
  'web.certificate-expired': {
    id: 'web.certificate-expired',
    severity: 'fail',
    title: 'Web: certificate expired or not yet valid',
    explanation:
      'An HTTPS endpoint presents a certificate outside its validity period. Browsers show a full-page warning; visitors who click through are trained to ignore real attacks.',
    fix: 'Renew the certificate and automate renewal (ACME), then reload the web server.',
    references: [PSHTT, RFC5280],
  },
  'web.certificate-bad-hostname': {
    id: 'web.certificate-bad-hostname',
    severity: 'fail',
    title: 'Web: certificate does not match the host name',
    explanation:
      'An HTTPS endpoint presents a certificate whose subject alternative names do not include the host that was asked for. Browsers refuse the connection with a warning.',
    fix: 'Issue a certificate that names both <domain> and www.<domain> (or serve the right certificate for each name through SNI).',
    references: [PSHTT, RFC6125],
  },
  'web.certificate-untrusted': {
    id: 'web.certificate-untrusted',
    severity: 'fail',
    title: 'Web: certificate not trusted (bad chain or self-signed)',
    explanation:
      'An HTTPS endpoint presents a certificate that does not chain to a trusted root: self-signed, issued by an unknown CA, or served without its intermediate certificates.',
    fix: 'Use a certificate from a publicly trusted CA and serve the full chain (leaf plus intermediates).',
    references: [PSHTT, RFC5280],
  },
  'web.redirects-to-other-host': {
    id: 'web.redirects-to-other-host',
    severity: 'warning',
    title: 'Web: HTTP redirects straight to another host',
    explanation:
      'An HTTP endpoint’s first redirect goes to a different host name. Browsers then never load HTTPS on the original host, so it never receives HSTS; the HSTS preload list requires HTTP to redirect to HTTPS on the same host first.',
    fix: 'Redirect http://<host>/ to https://<host>/ first, and only then to the other host.',
    references: [PRELOAD, PSHTT],
  },
  'web.not-live': {
    id: 'web.not-live',
    severity: 'info',
    title: 'Web: no web server answers',
    explanation:
      'None of http://<domain>, https://<domain>, http://www.<domain> and https://www.<domain> answers (no address, connection refused, or no TLS handshake). Nothing to check, and nothing exposed.',
    fix: 'Nothing, if the domain is not meant to serve a web site.',
    references: [PSHTT],
  },
  'web.target-not-allowed': {
    id: 'web.target-not-allowed',
    severity: 'info',
    title: 'Web: endpoint not scanned (non-public address)',
    explanation:
      'An endpoint resolves only to private, loopback or link-local addresses. Scanners do not connect there unless ALLOW_PRIVATE_TARGETS is set, so it was not checked; on the internet it is unreachable anyway.',
    fix: 'Publish the site’s public address, or remove the record if the site is internal.',
    references: ['RFC 6890: Special-Purpose IP Address Registries'],
  },
  'web.cookies-secure': {
    id: 'web.cookies-secure',
    severity: 'pass',
    title: 'Web: cookies are Secure, HttpOnly and SameSite',
    explanation:
      'Every cookie the endpoints set carries Secure (never sent over HTTP), HttpOnly (hidden from scripts) and a SameSite attribute.',
    references: [RFC6265, OBSERVATORY],
  },
  'web.cookie-not-secure': {
    id: 'web.cookie-not-secure',
    severity: 'fail',
    title: 'Web: cookie without Secure',
    explanation:
      'A cookie is set without the Secure attribute (or with SameSite=None but no Secure): browsers also send it over plain HTTP, where anyone on the path can read a session cookie.',
    fix: 'Add `Secure` to every Set-Cookie (and serve the site over HTTPS only); prefer the `__Host-` prefix for session cookies.',
    references: [RFC6265, OBSERVATORY],
  },
  'web.cookie-not-httponly': {
    id: 'web.cookie-not-httponly',
    severity: 'warning',
    title: 'Web: cookie readable by scripts',
    explanation:
      'A cookie is set without HttpOnly: any script on the page, including one injected through XSS, can read and exfiltrate it.',
    fix: 'Add `HttpOnly` to cookies scripts do not need to read (session and authentication cookies always).',
    references: [RFC6265, OBSERVATORY],
  },
  'web.cookie-no-samesite': {
    id: 'web.cookie-no-samesite',
    severity: 'warning',
    title: 'Web: cookie without SameSite',
    explanation:
      'A cookie is set without a SameSite attribute. Browsers differ in the default they apply, and a cookie sent with cross-site requests enables cross-site request forgery.',
    fix: 'Add `SameSite=Lax` (or `Strict`) to every cookie; use `SameSite=None; Secure` only for cookies that must be sent cross-site.',
    references: [RFC6265, OBSERVATORY],
  },
  'web.security-txt-valid': {
    id: 'web.security-txt-valid',
    severity: 'pass',
    title: 'Web: security.txt present and valid',
    explanation:
      'The domain publishes /.well-known/security.txt over HTTPS with a Contact and an Expires in the future: people who find a vulnerability know whom to tell.',
    references: [RFC9116],
  },
  'web.security-txt-signed': {
    id: 'web.security-txt-signed',
    severity: 'pass',
    title: 'Web: security.txt is signed',
    explanation:
      'The security.txt file is an OpenPGP cleartext-signed message, so readers can check it was not planted by someone who took over the web server. Perimeter recognises the signature; verifying it needs the publisher’s key.',
    references: [RFC9116, 'RFC 4880 §7: Cleartext Signature Framework'],
  },
  'web.security-txt-missing': {
    id: 'web.security-txt-missing',
    severity: 'warning',
    title: 'Web: no security.txt',
    explanation:
      'There is no /.well-known/security.txt: someone who finds a vulnerability has no published way to report it, and reports get lost or go public.',
    fix: 'Publish /.well-known/security.txt over HTTPS with at least `Contact:` and `Expires:` (less than a year ahead); sign it with OpenPGP.',
    references: [RFC9116],
  },
  'web.security-txt-expired': {
    id: 'web.security-txt-expired',
    severity: 'fail',
    title: 'Web: security.txt expired',
    explanation:
      'The security.txt file’s Expires date has passed: RFC 9116 tells readers to treat its contents as stale, so the contacts may no longer be read.',
    fix: 'Check the contacts and publish the file again with a new `Expires:` date, less than a year ahead; renew it before then.',
    references: [RFC9116],
  },
  'web.security-txt-invalid': {
    id: 'web.security-txt-invalid',
    severity: 'warning',
    title: 'Web: security.txt does not follow RFC 9116',
    explanation:
      'The security.txt file is missing a required field (Contact, Expires), repeats a field allowed once, has lines that are not fields, a malformed signature, or is not served as text/plain.',
    fix: 'Fix the file as the finding says; https://securitytxt.org generates a valid one.',
    references: [RFC9116],
  },
};

/** The web scanner's findings about Strict-Transport-Security. */
export const HstsFindings: Record<string, FindingDefinition> = {
  'hsts.valid': {
    id: 'hsts.valid',
    severity: 'pass',
    title: 'HSTS: present with max-age of a year or more',
    explanation:
      'The canonical HTTPS endpoint sends a valid Strict-Transport-Security header with max-age of at least 31536000 seconds: browsers that have visited once use HTTPS only for a year.',
    references: [RFC6797, M1513],
  },
  'hsts.missing': {
    id: 'hsts.missing',
    severity: 'fail',
    title: 'HSTS: missing',
    explanation:
      'The canonical HTTPS endpoint sends no Strict-Transport-Security header. Even with a redirect, every first request goes over plain HTTP, where an attacker can strip the redirect (SSL stripping).',
    fix: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS response (start with a shorter max-age while testing).',
    references: [RFC6797, M1513],
  },
  'hsts.max-age-short': {
    id: 'hsts.max-age-short',
    severity: 'warning',
    title: 'HSTS: max-age under a year',
    explanation:
      'The HSTS max-age is under one year (31536000 seconds): browsers forget the policy soon after a visit, and plain HTTP is tried again.',
    fix: 'Raise max-age to 31536000 (one year) or more once HTTPS works everywhere on the host.',
    references: [RFC6797, M1513],
  },
  'hsts.invalid': {
    id: 'hsts.invalid',
    severity: 'fail',
    title: 'HSTS: header ignored by browsers',
    explanation:
      'The Strict-Transport-Security header does not parse (no or malformed max-age, a directive twice): browsers ignore it entirely, as if there were none.',
    fix: 'Send exactly `Strict-Transport-Security: max-age=<seconds>[; includeSubDomains][; preload]`.',
    references: [RFC6797],
  },
  'hsts.ignored-certificate-error': {
    id: 'hsts.ignored-certificate-error',
    severity: 'fail',
    title: 'HSTS: ignored because of certificate errors',
    explanation:
      'The HTTPS endpoint sends Strict-Transport-Security, but its certificate does not validate. Browsers ignore HSTS received over a connection with any certificate error (RFC 6797 §8.1), so the policy is not in force.',
    fix: 'Fix the certificate (see the web.certificate-* finding); the HSTS header then takes effect.',
    references: [RFC6797],
  },
  'hsts.only-after-redirect': {
    id: 'hsts.only-after-redirect',
    severity: 'warning',
    title: 'HSTS: only set after a redirect',
    explanation:
      'The HTTPS endpoint redirects without an HSTS header; the header appears only on the page it redirects to. Browsers remember HSTS for the host that sent it, so the first host stays unprotected, and the preload list rejects it.',
    fix: 'Send the Strict-Transport-Security header on the redirect response too (on every HTTPS response).',
    references: [RFC6797, PRELOAD],
  },
  'hsts.preload-ready': {
    id: 'hsts.preload-ready',
    severity: 'pass',
    title: 'HSTS: ready for the preload list',
    explanation:
      'https://<domain>/ has a valid certificate and sends HSTS with max-age of a year or more, includeSubDomains and preload; HTTP redirects to HTTPS on the same host first. The domain can be submitted to hstspreload.org so browsers use HTTPS before the first visit. (pshtt’s older rule asked for 18 weeks; the list now requires a year.)',
    references: [PRELOAD, PSHTT, RFC6797],
  },
  'hsts.not-preload-ready': {
    id: 'hsts.not-preload-ready',
    severity: 'info',
    title: 'HSTS: not ready for the preload list',
    explanation:
      'The domain sends HSTS but does not meet the preload list’s requirements (the finding lists which). Preloading protects even the first visit; it commits every subdomain to HTTPS.',
    fix: 'If every subdomain serves HTTPS: send `max-age=63072000; includeSubDomains; preload` from https://<domain>/ (including on its redirects), redirect HTTP to HTTPS on the same host first, then submit at hstspreload.org.',
    references: [PRELOAD, RFC6797],
  },
};

/** The web scanner's findings about security headers (the HTTP Observatory's tests). */
export const HeadersFindings: Record<string, FindingDefinition> = {
  'headers.valid': {
    id: 'headers.valid',
    severity: 'pass',
    title: 'Headers: the essential security headers are set',
    explanation:
      'The page sends a Content-Security-Policy that restricts scripts, framing protection (CSP frame-ancestors or X-Frame-Options), X-Content-Type-Options: nosniff and a safe Referrer-Policy.',
    references: [OBSERVATORY, CSP3],
  },
  'headers.csp-missing': {
    id: 'headers.csp-missing',
    severity: 'warning',
    title: 'Headers: no Content-Security-Policy',
    explanation:
      'Without a Content-Security-Policy the browser runs any script that ends up in the page: one injection flaw (XSS) is enough to take over visitors’ sessions. A report-only policy enforces nothing.',
    fix: "Send a Content-Security-Policy, e.g. `default-src 'self'; frame-ancestors 'none'; object-src 'none'` and widen only what the site needs (nonces or hashes for inline scripts).",
    references: [CSP3, OBSERVATORY],
  },
  'headers.csp-unsafe': {
    id: 'headers.csp-unsafe',
    severity: 'warning',
    title: 'Headers: Content-Security-Policy does not restrict scripts',
    explanation:
      "The Content-Security-Policy allows 'unsafe-inline' (without nonces or hashes), 'unsafe-eval', or scripts from any host or scheme: injected scripts still run, so the policy gives little protection against XSS.",
    fix: "Remove 'unsafe-inline' and 'unsafe-eval' from script-src/default-src, use nonces or hashes for inline scripts, and list hosts instead of wildcards (or use 'strict-dynamic').",
    references: [CSP3, OBSERVATORY],
  },
  'headers.frame-protection-missing': {
    id: 'headers.frame-protection-missing',
    severity: 'warning',
    title: 'Headers: page can be framed by any site',
    explanation:
      'Neither a CSP frame-ancestors directive nor X-Frame-Options (DENY or SAMEORIGIN) is sent: another site can embed the page in a frame and trick visitors into clicking (clickjacking). X-Frame-Options is not needed when frame-ancestors is set.',
    fix: "Add `frame-ancestors 'none'` (or `'self'`) to the Content-Security-Policy; `X-Frame-Options: DENY` covers old browsers.",
    references: [CSP3, 'RFC 7034: HTTP Header Field X-Frame-Options', OBSERVATORY],
  },
  'headers.x-content-type-options-missing': {
    id: 'headers.x-content-type-options-missing',
    severity: 'warning',
    title: 'Headers: no X-Content-Type-Options: nosniff',
    explanation:
      'Without `X-Content-Type-Options: nosniff` browsers may guess a response’s type from its content and run an uploaded file as script or style.',
    fix: 'Send `X-Content-Type-Options: nosniff` on every response.',
    references: ['WHATWG Fetch: X-Content-Type-Options', OBSERVATORY],
  },
  'headers.referrer-policy-missing': {
    id: 'headers.referrer-policy-missing',
    severity: 'info',
    title: 'Headers: no Referrer-Policy',
    explanation:
      'No (recognised) Referrer-Policy is sent; current browsers default to strict-origin-when-cross-origin, older ones send full URLs, including tokens in query strings, to other sites.',
    fix: 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer`).',
    references: ['W3C Referrer Policy', OBSERVATORY],
  },
  'headers.referrer-policy-unsafe': {
    id: 'headers.referrer-policy-unsafe',
    severity: 'warning',
    title: 'Headers: Referrer-Policy leaks full URLs',
    explanation:
      'The Referrer-Policy is unsafe-url or no-referrer-when-downgrade: full URLs, with paths and query strings, are sent to every other site the page links to or loads from.',
    fix: 'Use `Referrer-Policy: strict-origin-when-cross-origin` (or stricter).',
    references: ['W3C Referrer Policy', OBSERVATORY],
  },
  'headers.permissions-policy-missing': {
    id: 'headers.permissions-policy-missing',
    severity: 'info',
    title: 'Headers: no Permissions-Policy',
    explanation:
      'No Permissions-Policy limits powerful browser features (camera, microphone, geolocation, payment) for the page and the frames it embeds.',
    fix: 'Send a Permissions-Policy that turns off what the site does not use, e.g. `camera=(), microphone=(), geolocation=()`.',
    references: ['W3C Permissions Policy', OBSERVATORY],
  },
  'headers.cross-origin-isolation-missing': {
    id: 'headers.cross-origin-isolation-missing',
    severity: 'info',
    title: 'Headers: cross-origin isolation headers missing',
    explanation:
      'Cross-Origin-Opener-Policy, Cross-Origin-Embedder-Policy or Cross-Origin-Resource-Policy is missing or invalid. They keep other sites’ windows and embeds from reaching the page’s process and data (Spectre-class leaks, window references).',
    fix: 'Send `Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Resource-Policy: same-origin` (or same-site), and `Cross-Origin-Embedder-Policy: require-corp` where the site’s embeds allow it.',
    references: [
      'WHATWG HTML: Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy',
      'WHATWG Fetch: Cross-Origin-Resource-Policy',
      OBSERVATORY,
    ],
  },
};
