import { createHash } from 'node:crypto';
import { parseNet } from '../../state/net';

/**
 * The NoCloud seed Proxmox VE writes onto a VM's cloud-init drive at start, built from the VM's
 * config the way qemu-server's PVE/QemuServer/Cloudinit.pm does (`generate_nocloud`): the same
 * keys, order, quoting and defaults, so a real cloud-init in the guest sees what it would see
 * on the cluster. Only the NoCloud format (PVE's default for Linux `ostype`) and no `cicustom`.
 */
interface NoCloudSeed {
  'user-data': string;
  'meta-data': string;
  'network-config': string;
  'vendor-data': string;
}

/** The host's resolver settings, which PVE copies in when the VM sets no nameserver/searchdomain. */
export interface HostDns {
  nameservers: string[];
  search: string[];
}

/** hostname and fqdn as PVE derives them: `name` (default `VM<vmid>`), a dotted name is its own fqdn. */
export function hostnameAndFqdn(conf: Record<string, string>, vmid: number): { hostname: string; fqdn: string } {
  const name = conf.name ?? `VM${vmid}`;
  if (name.includes('.')) return { hostname: name.replace(/\..*$/, ''), fqdn: name };
  if (conf.searchdomain) return { hostname: name, fqdn: `${name}.${conf.searchdomain}` };
  return { hostname: name, fqdn: name };
}

/** `sshkeys` (stored URI-encoded) as the list of non-empty key lines. */
function sshKeyLines(encoded: string): string[] {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    text = encoded;
  }
  return text.split('\n').filter((line) => /\S/.test(line));
}

/**
 * `#cloud-config` user-data: hostname, manage_etc_hosts, fqdn, the ciuser with its password and
 * keys, `users: [default]` (unless the ciuser is root), and `package_upgrade: true` unless
 * `ciupgrade` is explicitly 0 — PVE's schema default for ciupgrade is 1. `maskPassword` writes
 * the password as PVE's dump shows it to a caller who may not configure cloud-init.
 */
export function userData(conf: Record<string, string>, vmid: number, maskPassword = false): string {
  const { hostname, fqdn } = hostnameAndFqdn(conf, vmid);
  let out = '#cloud-config\n';
  out += `hostname: ${hostname}\n`;
  out += 'manage_etc_hosts: true\n';
  out += `fqdn: ${fqdn}\n`;
  const user = conf.ciuser;
  if (user !== undefined) out += `user: ${user}\n`;
  if (user === 'root') out += 'disable_root: False\n';
  if (conf.cipassword !== undefined) out += `password: ${maskPassword ? '**********' : conf.cipassword}\n`;
  if (conf.sshkeys !== undefined) {
    out += 'ssh_authorized_keys:\n';
    for (const key of sshKeyLines(conf.sshkeys)) out += `  - ${key}\n`;
  }
  out += 'chpasswd:\n  expire: False\n';
  if (user !== 'root') out += 'users:\n  - default\n';
  if (conf.ciupgrade === undefined || conf.ciupgrade !== '0') out += 'package_upgrade: true\n';
  return out;
}

/** Dotted netmask of a prefix length (`24` → `255.255.255.0`). */
export function prefixToMask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [bits >>> 24, (bits >>> 16) & 255, (bits >>> 8) & 255, bits & 255].join('.');
}

/** `ip=…,gw=…,ip6=…,gw6=…` of an `ipconfigN` value. */
export function parseIpconfig(value: string): { ip?: string; gw?: string; ip6?: string; gw6?: string } {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { ip: out.ip, gw: out.gw, ip6: out.ip6, gw6: out.gw6 };
}

/** The resolver settings that go into network-config: the VM's own, else the host's. */
function dnsOf(conf: Record<string, string>, host: HostDns): { nameservers: string[]; search: string[] } {
  const search = conf.searchdomain !== undefined ? conf.searchdomain.split(/\s+/).filter(Boolean) : host.search;
  const nameservers = conf.nameserver !== undefined ? conf.nameserver.split(/\s+/).filter(Boolean) : host.nameservers;
  return { nameservers, search };
}

/**
 * network-config version 1: one `physical` entry per `netN` that has an `ipconfigN` (in PVE's
 * lexical key order), named `ethN` and matched by the NIC's lower-case MAC, with dhcp4 / static
 * (address, dotted netmask, gateway) / dhcp6 / ipv6_slaac / static6 subnets; then one
 * `nameserver` entry. Throws PVE's message for a NIC without a MAC.
 */
export function networkConfig(conf: Record<string, string>, host: HostDns): string {
  let out = 'version: 1\nconfig:\n';
  const nets = Object.keys(conf)
    .filter((k) => /^net\d+$/.test(k))
    .sort();
  for (const key of nets) {
    const id = key.slice(3);
    const ipconfig = conf[`ipconfig${id}`];
    if (!ipconfig) continue;
    const dev = parseNet(conf[key] ?? '');
    const mac = typeof dev === 'string' ? undefined : dev.macaddr;
    if (!mac) throw new Error(`network interface '${key}' has no mac address`);
    const ipc = parseIpconfig(ipconfig);
    out += `    - type: physical\n      name: eth${id}\n      mac_address: '${mac.toLowerCase()}'\n      subnets:\n`;
    const i = '      ';
    if (ipc.ip !== undefined) {
      if (ipc.ip === 'dhcp') out += `${i}- type: dhcp4\n`;
      else {
        const [addr, prefix] = ipc.ip.split('/');
        if (prefix === undefined) throw new Error(`not a CIDR: ${ipc.ip}`);
        out += `${i}- type: static\n${i}  address: '${addr ?? ''}'\n${i}  netmask: '${prefixToMask(Number(prefix))}'\n`;
        if (ipc.gw !== undefined) out += `${i}  gateway: '${ipc.gw}'\n`;
      }
    }
    if (ipc.ip6 !== undefined) {
      if (ipc.ip6 === 'dhcp') out += `${i}- type: dhcp6\n`;
      else if (ipc.ip6 === 'auto') out += `${i}- type: ipv6_slaac\n`;
      else {
        out += `${i}- type: static6\n${i}  address: '${ipc.ip6}'\n`;
        if (ipc.gw6 !== undefined) out += `${i}  gateway: '${ipc.gw6}'\n`;
      }
    }
  }
  const dns = dnsOf(conf, host);
  out += '    - type: nameserver\n';
  if (dns.nameservers.length > 0) out += `      address:\n${dns.nameservers.map((n) => `      - '${n}'\n`).join('')}`;
  if (dns.search.length > 0) out += `      search:\n${dns.search.map((s) => `      - '${s}'\n`).join('')}`;
  return out;
}

/** The whole seed; meta-data's instance-id is the SHA-1 of user-data + network-config, as in PVE. */
export function noCloudSeed(conf: Record<string, string>, vmid: number, host: HostDns): NoCloudSeed {
  const user = userData(conf, vmid);
  const network = networkConfig(conf, host);
  const instanceId = createHash('sha1')
    .update(user + network)
    .digest('hex');
  return { 'user-data': user, 'meta-data': `instance-id: ${instanceId}\n`, 'network-config': network, 'vendor-data': '' };
}

/** nameserver/search lines of a resolv.conf text (the first three nameservers, as PVE reads them). */
export function parseResolvConf(text: string): HostDns {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(nameserver|search|domain)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === 'nameserver' && nameservers.length < 3) nameservers.push(m[2] ?? '');
    else if (m[1] !== 'nameserver') search = (m[2] ?? '').split(/\s+/);
  }
  return { nameservers, search };
}
