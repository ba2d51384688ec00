import type { AuthInfo } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf } from '../sim-context';
import { CLOUDINIT_KEYS } from '../state/config-schema';
import { DISK_KEY, configDisks } from '../state/disks';
import { parseNet } from '../state/net';
import { die } from '../server/pve-error';

const CPU = new Set(['cores', 'cpu', 'runningcpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus']);
const MEMORY = new Set(['memory', 'balloon', 'shares', 'allow-ksm']);
const HWTYPE = new Set([
  'acpi',
  'hotplug',
  'kvm',
  'machine',
  'runningmachine',
  'scsihw',
  'smbios1',
  'tablet',
  'vga',
  'watchdog',
  'audio0',
  'rng0',
]);
const GENERAL = new Set([
  'agent',
  'autostart',
  'bios',
  'description',
  'keyboard',
  'localtime',
  'migrate_downtime',
  'migrate_speed',
  'name',
  'onboot',
  'ostype',
  'protection',
  'reboot',
  'startdate',
  'startup',
  'tdf',
  'template',
]);
const DISKOPTS = new Set(['boot', 'bootdisk', 'vmstatestorage']);

/**
 * check_bridge_access (qemu-server) → check_vnet_access (pve-guest-common): SDN.Use on
 * `/sdn/zones/<zone>/<bridge>/<tag>` when a VLAN tag is set, on the bridge itself otherwise.
 * Plain Linux bridges are in the zone `localnetwork` (the simulator has no SDN vnets).
 */
export function checkBridgeAccess(sim: Sim, auth: AuthInfo, conf: Record<string, string>): void {
  const id = authIdOf(auth);
  if (id === 'root@pam') return;
  for (const key of Object.keys(conf).sort()) {
    if (!/^net\d+$/.test(key)) continue;
    const dev = parseNet(conf[key] ?? '');
    if (typeof dev === 'string') continue;
    const bridge = dev.opts.bridge;
    if (bridge === undefined) continue;
    const tag = dev.opts.tag;
    const trunks = (dev.opts.trunks ?? '').split(/;/).filter(Boolean);
    if (tag) sim.access.check(id, `/sdn/zones/localnetwork/${bridge}/${tag}`, ['SDN.Use']);
    for (const t of trunks) sim.access.check(id, `/sdn/zones/localnetwork/${bridge}/${t}`, ['SDN.Use']);
    if (!tag && trunks.length === 0) sim.access.check(id, `/sdn/zones/localnetwork/${bridge}`, ['SDN.Use']);
  }
}

/**
 * $check_storage_access_clone: Datastore.AllocateSpace on the clone's target storage (or each
 * disk's own) for every disk that is not a CD-ROM; cloud-init drives are CD-ROMs and pass.
 */
export function checkCloneStorage(sim: Sim, auth: AuthInfo, conf: Record<string, string>, storage: string | undefined): void {
  const id = authIdOf(auth);
  for (const [, d] of configDisks(conf)) {
    if (d.isCdrom || d.isCloudinit) continue;
    sim.access.check(id, `/storage/${storage ?? d.storage}`, ['Datastore.AllocateSpace']);
  }
}

/**
 * $check_vm_modify_config_perm for the keys set or deleted: CPU, memory, hardware, options,
 * disk options, network, and cloud-init keys (VM.Config.Cloudinit or VM.Config.Network); drive
 * keys and tags are checked elsewhere; any other key is root-only.
 */
export function checkConfigKeys(sim: Sim, auth: AuthInfo, vmid: number, keys: string[]): void {
  const id = authIdOf(auth);
  if (id === 'root@pam') return;
  const vm = (privs: string[], any = false): void => {
    sim.access.checkVm(id, vmid, privs, any);
  };
  for (const k of keys) {
    if (DISK_KEY.test(k) || k === 'cdrom' || /^(unused|serial|usb|hostpci|virtiofs)\d+$/.test(k) || k === 'tags') continue;
    if (CPU.has(k) || /^numa\d+$/.test(k)) vm(['VM.Config.CPU']);
    else if (MEMORY.has(k)) vm(['VM.Config.Memory']);
    else if (HWTYPE.has(k)) vm(['VM.Config.HWType']);
    else if (GENERAL.has(k)) {
      vm(['VM.Config.Options']);
      if (k === 'startup') sim.access.check(id, '/', ['Sys.Modify']);
    } else if (k === 'freeze') vm(['VM.PowerMgmt']);
    else if (DISKOPTS.has(k)) vm(['VM.Config.Disk']);
    else if (/^net\d+$/.test(k)) vm(['VM.Config.Network']);
    else if (CLOUDINIT_KEYS.has(k) || /^ipconfig\d+$/.test(k)) vm(['VM.Config.Cloudinit', 'VM.Config.Network'], true);
    else throw die(`only root can set '${k}' config`);
  }
}

/**
 * The checks update_vm_api makes per key while writing: a drive needs VM.Config.Disk, tags
 * VM.Config.Options (assert_tag_permissions; datacenter user-tag-access is `free`), a NIC
 * change SDN.Use on the bridge it leaves as well as the one it joins.
 */
export function checkConfigWrite(
  sim: Sim,
  auth: AuthInfo,
  vmid: number,
  current: Record<string, string>,
  set: Record<string, string>,
  del: string[],
): void {
  const id = authIdOf(auth);
  if (id === 'root@pam') return;
  for (const k of [...del, ...Object.keys(set)]) {
    if (DISK_KEY.test(k)) sim.access.checkVm(id, vmid, ['VM.Config.Disk']);
    else if (k === 'tags' && (current.tags ?? '') !== (set.tags ?? '')) sim.access.checkVm(id, vmid, ['VM.Config.Options']);
    else if (/^net\d+$/.test(k) && current[k] !== undefined) checkBridgeAccess(sim, auth, { [k]: current[k] });
  }
}
