import { isIPv4, isIPv6 } from 'node:net';

/** PVE's dns-name format; returns the error text (after "invalid format - ") or undefined. */
export function checkDnsName(v: string): string | undefined {
  const label = '[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?';
  return new RegExp(`^(${label}\\.)*${label}$`).test(v) ? undefined : 'value does not look like a valid DNS name';
}

/** address-list: IPs separated by space, comma or semicolon. */
export function checkAddressList(v: string): string | undefined {
  for (const a of v.split(/[\s,;]+/).filter(Boolean)) {
    if (!isIPv4(a) && !isIPv6(a)) return `value does not look like a valid IP address`;
  }
  return undefined;
}

/** The `urlencoded` format that sshkeys uses. */
export function checkUrlEncoded(v: string): string | undefined {
  return /^[-%a-zA-Z0-9_.!~*'()]*$/.test(v) ? undefined : 'invalid urlencoded string';
}

const TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

/** Splits a pve-tag-list the way PVE does (`;`, `,` or whitespace). */
export function splitTags(v: string): string[] {
  return v.split(/[;,\s]+/).filter(Boolean);
}

/** pve-tag-list format check. */
export function checkTagList(v: string): string | undefined {
  for (const t of splitTags(v)) if (!TAG.test(t)) return `invalid characters in tag '${t}'`;
  return undefined;
}

/** Lowercases, dedups and sorts tags; stored `;`-joined (PVE's default tag handling). */
export function normaliseTags(v: string): string {
  return [...new Set(splitTags(v).map((t) => t.toLowerCase()))].sort().join(';');
}

function checkCidr(v: string, family: 4 | 6): boolean {
  const [ip, prefix, extra] = v.split('/');
  if (extra !== undefined || prefix === undefined || !/^\d+$/.test(prefix)) return false;
  const max = family === 4 ? 32 : 128;
  return (family === 4 ? isIPv4(ip ?? '') : isIPv6(ip ?? '')) && Number(prefix) <= max;
}

/** Parses `key=value,...` property strings; returns undefined on a malformed element. */
export function parsePropertyString(v: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  for (const part of v.split(',')) {
    if (part === '') return undefined;
    const i = part.indexOf('=');
    out.push(i < 0 ? [part, ''] : [part.slice(0, i), part.slice(i + 1)]);
  }
  return out;
}

/** pve-qm-ipconfig format. */
export function checkIpConfig(v: string): string | undefined {
  const kv = parsePropertyString(v);
  if (!kv) return 'format error';
  const m = new Map(kv);
  for (const [k, val] of kv) {
    if (!['ip', 'gw', 'ip6', 'gw6'].includes(k))
      return `format error\n${k}: property is not defined in schema and the schema does not allow additional properties`;
    if (k === 'ip' && val !== 'dhcp' && !checkCidr(val, 4)) return `format error\nip: invalid format - invalid IPv4 address/CIDR '${val}'`;
    if (k === 'ip6' && !['dhcp', 'auto'].includes(val) && !checkCidr(val, 6))
      return `format error\nip6: invalid format - invalid IPv6 address/CIDR '${val}'`;
    if (k === 'gw' && !isIPv4(val)) return `format error\ngw: invalid format - value does not look like a valid IPv4 address`;
    if (k === 'gw6' && !isIPv6(val)) return `format error\ngw6: invalid format - value does not look like a valid IPv6 address`;
  }
  if (m.has('gw') && (!m.has('ip') || m.get('ip') === 'dhcp')) return 'gateway specified without specifying an IP address';
  if (m.has('gw6') && (!m.has('ip6') || ['dhcp', 'auto'].includes(m.get('ip6') ?? '')))
    return 'gateway specified without specifying an IP address';
  return undefined;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses `32G`, `3584M`, `+10G` or bytes; units are powers of 1024. */
export function parseSize(v: string): { add: boolean; bytes: number } | undefined {
  const m = /^(\+?)(\d+(?:\.\d+)?)([KMGT]?)$/.exec(v);
  if (!m) return undefined;
  return { add: m[1] === '+', bytes: Math.floor(Number(m[2]) * (UNITS[m[3] ?? ''] ?? 1)) };
}

/** Formats bytes the way PVE writes `size=` (largest unit dividing exactly). */
export function formatSize(bytes: number): string {
  for (const u of ['T', 'G', 'M', 'K'] as const) {
    const f = UNITS[u] ?? 1;
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return String(bytes);
}
