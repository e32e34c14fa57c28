import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A known mail sender, recognised by the base domain of its servers' reverse-DNS names. */
export interface KnownSender {
  name: string;
  category: 'mailbox-provider' | 'email-service' | 'security-gateway' | 'marketing' | 'crm';
  baseDomains: string[];
}

/** The built-in catalogue; a file named by DMARC_SENDER_CATALOGUE replaces it (same shape). */
export const DEFAULT_SENDER_CATALOGUE: KnownSender[] = [
  {
    name: 'Google',
    category: 'mailbox-provider',
    baseDomains: ['google.com', 'googlemail.com', '1e100.net'],
  },
  {
    name: 'Microsoft 365',
    category: 'mailbox-provider',
    baseDomains: ['outlook.com', 'hotmail.com', 'office365.com'],
  },
  { name: 'Yahoo', category: 'mailbox-provider', baseDomains: ['yahoo.com', 'yahoodns.net'] },
  {
    name: 'Zoho',
    category: 'mailbox-provider',
    baseDomains: ['zoho.com', 'zohomail.com', 'zoho.eu'],
  },
  { name: 'Proton', category: 'mailbox-provider', baseDomains: ['protonmail.ch', 'proton.ch'] },
  {
    name: 'Fastmail',
    category: 'mailbox-provider',
    baseDomains: ['messagingengine.com', 'fastmail.com'],
  },
  { name: 'Amazon SES', category: 'email-service', baseDomains: ['amazonses.com'] },
  { name: 'SendGrid', category: 'email-service', baseDomains: ['sendgrid.net'] },
  { name: 'Mailgun', category: 'email-service', baseDomains: ['mailgun.net', 'mailgun.org'] },
  { name: 'Postmark', category: 'email-service', baseDomains: ['mtasv.net'] },
  { name: 'SparkPost', category: 'email-service', baseDomains: ['sparkpostmail.com'] },
  {
    name: 'Mailchimp',
    category: 'marketing',
    baseDomains: ['mcsv.net', 'rsgsv.net', 'mandrillapp.com'],
  },
  { name: 'HubSpot', category: 'marketing', baseDomains: ['hubspotemail.net'] },
  { name: 'Salesforce', category: 'crm', baseDomains: ['exacttarget.com', 'salesforce.com'] },
  { name: 'Mimecast', category: 'security-gateway', baseDomains: ['mimecast.com'] },
  {
    name: 'Proofpoint',
    category: 'security-gateway',
    baseDomains: ['pphosted.com', 'ppe-hosted.com'],
  },
];

const catalogueSchema = z.array(
  z.object({
    name: z.string().min(1).max(100),
    category: z.enum(['mailbox-provider', 'email-service', 'security-gateway', 'marketing', 'crm']),
    baseDomains: z.array(z.string().min(1).max(253)).min(1),
  }),
);

/** Reads a catalogue file (JSON, the shape of DEFAULT_SENDER_CATALOGUE); errors name the entry. */
export function loadSenderCatalogue(file: string | undefined): KnownSender[] {
  if (!file) return DEFAULT_SENDER_CATALOGUE;
  const parsed = catalogueSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${file}: ${first.path.join('.')}: ${first.message}`);
  }
  return parsed.data;
}

/** base domain → sender, for constant-time classification. */
export function senderIndex(catalogue: KnownSender[]): Map<string, KnownSender> {
  const index = new Map<string, KnownSender>();
  for (const sender of catalogue)
    for (const d of sender.baseDomains) index.set(d.toLowerCase().replace(/\.$/, ''), sender);
  return index;
}
