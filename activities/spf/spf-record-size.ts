/** What a DNS answer must fit in when the client sends no EDNS (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_LIMIT = 512;

const HEADER = 12;
const QUESTION_FIXED = 4; // QTYPE + QCLASS
const RR_FIXED = 2 + 10; // compressed owner name + TYPE, CLASS, TTL, RDLENGTH

/**
 * Size of the response to a TXT query for `name` holding `records` (each a list of
 * character-strings), without authority or additional records: a lower bound of the real size.
 */
export function estimateTxtResponseBytes(name: string, records: string[][]): number {
  const labels = name.replace(/\.$/, '').split('.');
  const qname = labels.reduce((n, label) => n + 1 + Buffer.byteLength(label), 0) + 1;
  const answers = records.reduce(
    (n, strings) => n + RR_FIXED + strings.reduce((m, s) => m + 1 + Buffer.byteLength(s), 0),
    0,
  );
  return HEADER + qname + QUESTION_FIXED + answers;
}
