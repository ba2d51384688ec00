/** The most addresses a public pool may list: a /20 is far beyond what an office NATs, and it keeps the allocation query bounded. */
export const MAX_PUBLIC_ADDRESSES = 4096;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const toInt = (a: string): number => a.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toAddress = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * Parses a public address pool: comma-separated IPv4 addresses and `first-last` ranges, e.g.
 * `203.0.113.10-203.0.113.20, 203.0.113.40`. Returns every address, in the order given, or the
 * reason the list is refused (a malformed entry, a backwards range, an address twice, too many).
 */
export function parsePublicAddresses(value: string): { addresses: string[] } | { problem: string } {
  const addresses: string[] = [];
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parts = entry.split('-').map((p) => p.trim());
    const first = parts[0] ?? '';
    const last = parts[1] ?? first;
    if (parts.length > 2 || !IPV4.test(first) || !IPV4.test(last))
      return { problem: `"${entry.slice(0, 40)}" is neither an IPv4 address nor a first-last range` };
    const from = toInt(first);
    const to = toInt(last);
    if (to < from) return { problem: `range ${entry} ends before it starts` };
    if (addresses.length + (to - from + 1) > MAX_PUBLIC_ADDRESSES) return { problem: `more than ${MAX_PUBLIC_ADDRESSES} addresses` };
    for (let n = from; n <= to; n += 1) {
      const address = toAddress(n);
      if (seen.has(address)) return { problem: `${address} is listed twice` };
      seen.add(address);
      addresses.push(address);
    }
  }
  return addresses.length > 0 ? { addresses } : { problem: 'no address given' };
}
