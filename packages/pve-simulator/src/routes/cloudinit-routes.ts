import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { parsePropertyString } from '../state/formats';
import { parseNet } from '../state/net';
import type { HostDns } from '../state/types';

/** Cloudinit.pm get_dns_conf: the VM's searchdomain/nameserver, else the PVE host's resolv.conf. */
function dnsConf(config: Record<string, string>, host: HostDns): { search: string[]; nameservers: string[] } {
  const search = (config.searchdomain ?? host.search ?? '').split(/\s+/).filter(Boolean);
  const nameservers =
    config.nameserver !== undefined
      ? config.nameserver.split(/\s+/).filter(Boolean)
      : [host.dns1, host.dns2, host.dns3].filter((d): d is string => Boolean(d));
  return { search, nameservers };
}

function netmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

/** Cloudinit.pm nocloud_network: the version-1 network config PVE writes onto the cloud-init drive. */
function nocloudNetwork(config: Record<string, string>, host: HostDns): string {
  let out = 'version: 1\nconfig:\n';
  const ifaces = Object.keys(config)
    .filter((k) => /^net\d+$/.test(k))
    .sort();
  for (const iface of ifaces) {
    const id = iface.slice(3);
    const ipconfig = config[`ipconfig${id}`];
    if (!ipconfig) continue;
    const dev = parseNet(config[iface] ?? '');
    const mac = typeof dev === 'string' ? undefined : dev.macaddr?.toLowerCase();
    if (!mac) throw new Error(`network interface '${iface}' has no mac address`);
    const ip = new Map(parsePropertyString(ipconfig) ?? []);
    let i = '    ';
    out += `${i}- type: physical\n${i}  name: eth${id}\n${i}  mac_address: '${mac}'\n${i}  subnets:\n`;
    i += '  ';
    const v4 = ip.get('ip');
    if (v4 === 'dhcp') out += `${i}- type: dhcp4\n`;
    else if (v4) {
      const [addr, prefix] = v4.split('/');
      out += `${i}- type: static\n${i}  address: '${addr}'\n${i}  netmask: '${netmask(Number(prefix))}'\n`;
      if (ip.has('gw')) out += `${i}  gateway: '${ip.get('gw')}'\n`;
    }
    const v6 = ip.get('ip6');
    if (v6 === 'dhcp') out += `${i}- type: dhcp6\n`;
    else if (v6 === 'auto') out += `${i}- type: ipv6_slaac\n`;
    else if (v6) {
      out += `${i}- type: static6\n${i}  address: '${v6}'\n`;
      if (ip.has('gw6')) out += `${i}  gateway: '${ip.get('gw6')}'\n`;
    }
  }
  const i = '    ';
  const dns = dnsConf(config, host);
  out += `${i}- type: nameserver\n`;
  if (dns.nameservers.length) out += `${i}  address:\n${dns.nameservers.map((n) => `${i}  - '${n}'\n`).join('')}`;
  if (dns.search.length) out += `${i}  search:\n${dns.search.map((d) => `${i}  - '${d}'\n`).join('')}`;
  return out;
}

/** `GET /nodes/{node}/dns` and the generated cloud-init network config. */
export const cloudinitRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/dns',
    schema: { node: P.node },
    handler: ({ sim, params }) => {
      const node = sim.state.node(String(params.node));
      return { ...node.dns };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/cloudinit/dump',
    // Only the network config is simulated; `user` and `meta` are not (docs/pve-simulator.md).
    schema: { node: P.node, vmid: P.vmid, type: { type: 'string', enum: ['network'] } },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      return nocloudNetwork(vm.config, sim.state.node(vm.node).dns);
    },
  },
];
