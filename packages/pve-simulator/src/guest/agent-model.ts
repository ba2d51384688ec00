import { die } from '../server/pve-error';
import type { SimVm } from '../state/types';

/** Whether `agent` is enabled in a config value (`1`, `enabled=1,...`, `1,fstrim_cloned_disks=1`). */
export function agentEnabled(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) {
    if (!part.includes('=')) return part === '1';
    const [k, v] = part.split('=');
    if (k === 'enabled') return v === '1';
  }
  return false;
}

type AgentStage = 'link-local' | 'up';

/**
 * The agent's state as a QGA call would see it now, in PVE's precondition order:
 * not configured → VM not running → agent not running → qmp timeout → answering.
 * Throws the 500 PVE would send; returns the boot stage otherwise.
 */
export function agentStage(vm: SimVm, command: string, now: number, neverStarts: boolean): AgentStage {
  if (!agentEnabled(vm.config.agent)) throw die('No QEMU guest agent configured');
  if (vm.power !== 'running') throw die(`VM ${vm.vmid} is not running`);
  const plan = vm.agentPlan;
  if (!vm.agentOnAtStart || !plan || neverStarts || now < plan.notRunningUntil) throw die('QEMU guest agent is not running');
  if (now < plan.timeoutUntil) throw die(`VM ${vm.vmid} qmp command 'guest-${command}' failed - got timeout`);
  return now < plan.linkLocalUntil ? 'link-local' : 'up';
}

/** EUI-64 link-local IPv6 for a MAC. */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const h = (i: number): string => (b[i] ?? 0).toString(16).padStart(2, '0');
  const first = ((b[0] ?? 0) ^ 2).toString(16).padStart(2, '0');
  const groups = [`${first}${h(1)}`, `${h(2)}ff`, `fe${h(3)}`, `${h(4)}${h(5)}`].map((g) => g.replace(/^0+(?=.)/, ''));
  return `fe80::${groups.join(':')}`;
}

/** IPv4 address/prefix from `ip=10.0.0.5/24,...`; 'dhcp' for dhcp/absent. */
function staticIpv4(ipconfig: string | undefined): { ip: string; prefix: number } | 'dhcp' | 'none' {
  if (ipconfig === undefined) return 'dhcp';
  const ip = /(?:^|,)ip=([^,]+)/.exec(ipconfig)?.[1];
  if (ip === undefined) return /(?:^|,)ip6=/.test(ipconfig) ? 'none' : 'dhcp';
  if (ip === 'dhcp') return 'dhcp';
  const [addr, prefix] = ip.split('/');
  return { ip: addr ?? '', prefix: Number(prefix) };
}

const stats = (seed: number): Record<string, number> => ({
  'rx-bytes': 1000 + seed * 37,
  'rx-packets': 10 + seed,
  'rx-errs': 0,
  'rx-dropped': 0,
  'tx-bytes': 800 + seed * 29,
  'tx-packets': 8 + seed,
  'tx-errs': 0,
  'tx-dropped': 0,
});

/** QGA `guest-network-get-interfaces` result for the VM's boot config and stage. */
export function networkInterfaces(vm: SimVm, stage: AgentStage, dhcp: (mac: string) => { ip: string; prefix: number }): unknown[] {
  const cfg = vm.bootConfig ?? vm.config;
  const out: unknown[] = [
    {
      name: 'lo',
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [
        { 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 },
        { 'ip-address-type': 'ipv6', 'ip-address': '::1', prefix: 128 },
      ],
      statistics: stats(1),
    },
  ];
  const nets = Object.keys(cfg)
    .filter((k) => /^net\d+$/.test(k))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  for (const key of nets) {
    const n = Number(key.slice(3));
    const mac = (/=([0-9A-Fa-f:]{17})/.exec(cfg[key] ?? '')?.[1] ?? '').toLowerCase();
    const addrs: unknown[] = [];
    if (stage === 'up') {
      const st = staticIpv4(cfg[`ipconfig${n}`]);
      const v4 = st === 'dhcp' ? (n === 0 || cfg[`ipconfig${n}`] !== undefined ? dhcp(mac) : undefined) : st === 'none' ? undefined : st;
      if (v4) addrs.push({ 'ip-address-type': 'ipv4', 'ip-address': v4.ip, prefix: v4.prefix });
      const v6 = /(?:^|,)ip6=([0-9a-fA-F:]+)\/(\d+)/.exec(cfg[`ipconfig${n}`] ?? '');
      if (v6) addrs.push({ 'ip-address-type': 'ipv6', 'ip-address': v6[1], prefix: Number(v6[2]) });
    }
    addrs.push({ 'ip-address-type': 'ipv6', 'ip-address': linkLocal(mac), prefix: 64 });
    out.push({ name: `eth${n}`, 'hardware-address': mac, 'ip-addresses': addrs, statistics: stats(n + 2) });
  }
  return out;
}
