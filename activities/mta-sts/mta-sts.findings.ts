import type { FindingDefinition } from '../common/check-report';

const RFC8461 = 'RFC 8461: SMTP MTA Strict Transport Security (MTA-STS)';
const NCSC = 'NCSC (UK): Mail Check, MTA-STS';

function def(d: FindingDefinition): FindingDefinition {
  return d;
}

/** The MTA-STS check's findings, by id. */
export const MtaStsFindings: Record<string, FindingDefinition> = {
  'mta-sts.valid': def({
    id: 'mta-sts.valid',
    severity: 'pass',
    title: 'MTA-STS: enforced',
    explanation:
      'The domain publishes an MTA-STS record and a valid policy in enforce mode that covers its MX hosts: sending servers that support MTA-STS deliver only over authenticated TLS.',
    references: [RFC8461, NCSC],
  }),
  'mta-sts.id-changed': def({
    id: 'mta-sts.id-changed',
    severity: 'info',
    title: 'MTA-STS: policy id changed since the last scan',
    explanation:
      'The id in the _mta-sts record differs from the previous scan: senders that cached the policy fetch it again. Expected after a policy change; if the policy did not change, something else rewrote the record.',
    fix: 'Change the id only together with the policy file, and publish the new policy before the new id.',
    references: [RFC8461],
  }),
  'mta-sts.missing': def({
    id: 'mta-sts.missing',
    severity: 'info',
    title: 'MTA-STS: not used',
    explanation:
      'The domain publishes no _mta-sts record: senders fall back to opportunistic TLS, which an attacker on the path can strip or intercept.',
    fix: 'Publish a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt (start with mode: testing) and `_mta-sts.<domain> TXT "v=STSv1; id=<id>"`, plus TLS-RPT.',
    references: [RFC8461, NCSC],
  }),
  'mta-sts.multiple-records': def({
    id: 'mta-sts.multiple-records',
    severity: 'fail',
    title: 'MTA-STS: more than one record',
    explanation:
      'More than one TXT record at _mta-sts starts with v=STSv1. RFC 8461 §3.1 says senders then assume the domain has no MTA-STS policy.',
    fix: 'Keep exactly one `v=STSv1; id=<id>` record.',
    references: [RFC8461],
  }),
  'mta-sts.record-invalid': def({
    id: 'mta-sts.record-invalid',
    severity: 'fail',
    title: 'MTA-STS: malformed record',
    explanation:
      'The _mta-sts record does not follow RFC 8461 §3.1 (v=STSv1 first, then id= of 1 to 32 letters and digits): senders ignore it.',
    fix: 'Publish exactly `v=STSv1; id=<1-32 letters or digits>;`, changing id whenever the policy changes.',
    references: [RFC8461],
  }),
  'mta-sts.policy-unreachable': def({
    id: 'mta-sts.policy-unreachable',
    severity: 'fail',
    title: 'MTA-STS: policy cannot be fetched',
    explanation:
      'The record announces a policy, but https://mta-sts.<domain>/.well-known/mta-sts.txt could not be retrieved as RFC 8461 §3.3 requires (200 response, text/plain, a valid certificate for the host, no redirect): senders treat the domain as having no policy, and a previously cached one eventually expires.',
    fix: 'Serve the policy over https at mta-sts.<domain> with a publicly trusted certificate for that name, status 200 and Content-Type text/plain, without redirects.',
    references: [RFC8461, NCSC],
  }),
  'mta-sts.policy-invalid': def({
    id: 'mta-sts.policy-invalid',
    severity: 'fail',
    title: 'MTA-STS: malformed policy',
    explanation:
      'The policy file does not follow RFC 8461 §3.2 (version: STSv1, mode enforce/testing/none, max_age 0 to 31557600, mx patterns with a wildcard only as the leftmost label): senders discard it.',
    fix: 'Serve lines `version: STSv1`, `mode: enforce`, one `mx: <host or *.domain>` per MX, `max_age: 1209600`.',
    references: [RFC8461],
  }),
  'mta-sts.policy-without-record': def({
    id: 'mta-sts.policy-without-record',
    severity: 'warning',
    title: 'MTA-STS: policy but no record',
    explanation:
      'A policy file is served at mta-sts.<domain>, but there is no _mta-sts TXT record: senders only fetch the policy when the record exists, so it has no effect.',
    fix: 'Publish `_mta-sts.<domain> TXT "v=STSv1; id=<id>"`, or remove the policy host.',
    references: [RFC8461],
  }),
  'mta-sts.mode-testing': def({
    id: 'mta-sts.mode-testing',
    severity: 'warning',
    title: 'MTA-STS: testing mode',
    explanation:
      'The policy is in testing mode: senders report failures (with TLS-RPT) but still deliver over unauthenticated or no TLS, so it does not yet protect mail.',
    fix: 'Once TLS-RPT reports show no failures, change the policy to `mode: enforce` and update the record id.',
    references: [RFC8461, NCSC],
  }),
  'mta-sts.mode-none': def({
    id: 'mta-sts.mode-none',
    severity: 'info',
    title: 'MTA-STS: mode none',
    explanation:
      'The policy is in mode none: the domain is withdrawing MTA-STS and senders apply no policy.',
    fix: 'If this is not a deliberate withdrawal, serve a testing or enforce policy.',
    references: [RFC8461],
  }),
  'mta-sts.max-age-short': def({
    id: 'mta-sts.max-age-short',
    severity: 'warning',
    title: 'MTA-STS: short max_age',
    explanation:
      'The policy max_age is under one day. Senders cache the policy only that long, so an attacker who blocks the policy fetch soon gets senders back to opportunistic TLS. RFC 8461 §3.2 recommends weeks or more.',
    fix: 'Set `max_age: 1209600` (two weeks) or longer, up to 31557600.',
    references: [RFC8461],
  }),
  'mta-sts.mx-not-covered': def({
    id: 'mta-sts.mx-not-covered',
    severity: 'fail',
    title: 'MTA-STS: MX host not in the enforced policy',
    explanation:
      'An MX host matches none of the mx patterns of an enforce-mode policy: senders that honour MTA-STS refuse to deliver to it, so mail to that host bounces or queues.',
    fix: 'Add an `mx:` line for each MX host (or a `*.` pattern covering them) and update the record id.',
    references: [RFC8461],
  }),
  'mta-sts.mx-not-covered-testing': def({
    id: 'mta-sts.mx-not-covered-testing',
    severity: 'warning',
    title: 'MTA-STS: MX host not in the testing policy',
    explanation:
      'An MX host matches none of the mx patterns of the testing policy: senders report failures for it, and switching to enforce mode would stop delivery to it.',
    fix: 'Add an `mx:` line for each MX host before switching to enforce.',
    references: [RFC8461],
  }),
};
