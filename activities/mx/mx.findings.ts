import type { FindingDefinition } from '../common/check-report';

const RFC5321 = 'RFC 5321: Simple Mail Transfer Protocol (§5.1, locating the target host)';
const RFC7505 = 'RFC 7505: A "Null MX" No Service Resource Record for Domains That Accept No Mail';
const RFC2181 =
  'RFC 2181: Clarifications to the DNS Specification (§10.3, MX must not point to an alias)';

/** The MX check's findings, by id. */
export const MxFindings: Record<string, FindingDefinition> = {
  'mx.valid': {
    id: 'mx.valid',
    severity: 'pass',
    title: 'MX: every mail host resolves',
    explanation:
      'The domain publishes MX records, and every host they name has an address and is a real host name (not an alias or an IP address): senders can deliver mail.',
    references: [RFC5321],
  },
  'mx.null-mx': {
    id: 'mx.null-mx',
    severity: 'info',
    title: 'MX: null MX, the domain accepts no mail',
    explanation:
      'The domain publishes a null MX (`0 .`, RFC 7505): it declares that it accepts no mail. Senders fail at once instead of retrying, and mail claiming to come from the domain can be refused. Right for a domain that sends and receives no mail.',
    fix: 'Nothing, if the domain is not meant to receive mail. Otherwise replace the null MX with the domain’s mail hosts.',
    references: [RFC7505],
  },
  'mx.null-mx-mixed': {
    id: 'mx.null-mx-mixed',
    severity: 'fail',
    title: 'MX: null MX mixed with other MX records',
    explanation:
      'A null MX must be the only MX record (RFC 7505 §3). Mixed with real hosts it contradicts them: some senders treat the domain as accepting no mail, others deliver.',
    fix: 'Remove the null MX (`0 .`) if the domain receives mail, or remove the other MX records if it does not.',
    references: [RFC7505],
  },
  'mx.host-no-address': {
    id: 'mx.host-no-address',
    severity: 'fail',
    title: 'MX: mail host without an address',
    explanation:
      'An MX record names a host that has no A or AAAA record (or does not exist): senders cannot deliver to it, and if it is the only or most preferred host, mail is delayed or lost.',
    fix: 'Give the host an A and/or AAAA record, or remove the MX record that names it.',
    references: [RFC5321],
  },
  'mx.host-cname': {
    id: 'mx.host-cname',
    severity: 'warning',
    title: 'MX: mail host is an alias (CNAME)',
    explanation:
      'An MX record names an alias (CNAME) instead of the host’s canonical name. RFC 2181 and RFC 5321 forbid it; most senders follow the alias, but some refuse, and it breaks DANE and MTA-STS host matching.',
    fix: 'Point the MX record at the canonical host name (the CNAME’s target).',
    references: [RFC2181, RFC5321],
  },
  'mx.host-ip-literal': {
    id: 'mx.host-ip-literal',
    severity: 'fail',
    title: 'MX: mail host written as an IP address',
    explanation:
      'An MX record’s target is an IP address written as a name. An MX must name a host; senders look the "name" up in DNS, find nothing, and cannot deliver.',
    fix: 'Create a host name (e.g. mail.<domain>) with an A/AAAA record for the address, and point the MX at it.',
    references: [RFC5321, 'RFC 1035 §3.3.9 (MX EXCHANGE is a domain name)'],
  },
  'mx.host-non-public-address': {
    id: 'mx.host-non-public-address',
    severity: 'warning',
    title: 'MX: mail host only has non-public addresses',
    explanation:
      'An MX host resolves only to private, loopback or otherwise non-routable addresses: senders on the internet cannot reach it, and it reveals internal addressing.',
    fix: 'Publish the public address of the mail host, or remove the MX record.',
    references: [RFC5321, 'RFC 6890: Special-Purpose IP Address Registries'],
  },
  'mx.none-implicit': {
    id: 'mx.none-implicit',
    severity: 'info',
    title: 'MX: no MX record, mail goes to the domain’s own address',
    explanation:
      'The domain has no MX record but has an address, so senders deliver to that address (the implicit MX, RFC 5321 §5.1). Usually unintended: a web server then receives, or silently refuses, the domain’s mail.',
    fix: 'Publish MX records for the domain’s mail hosts; if it receives no mail, publish a null MX (`0 .`).',
    references: [RFC5321, RFC7505],
  },
  'mx.none-no-mail': {
    id: 'mx.none-no-mail',
    severity: 'info',
    title: 'MX: no MX and no address, the domain receives no mail',
    explanation:
      'The domain has neither MX records nor an address: no mail can be delivered to it. Senders keep retrying for days before bouncing; a null MX says the same thing at once.',
    fix: 'If the domain is not meant to receive mail, publish a null MX (`0 .`); otherwise publish its MX records.',
    references: [RFC5321, RFC7505],
  },
};
