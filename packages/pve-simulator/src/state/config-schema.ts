import type { ParamSchema, ParamSpec } from '../server/params';
import { P } from '../server/params';
import { checkAddressList, checkDnsName, checkIpConfig, checkTagList, checkUrlEncoded } from './formats';
import { parseNet } from './net';

const str: ParamSpec = { type: 'string', optional: true };
const bool: ParamSpec = { type: 'boolean', optional: true };

/** Keys PVE's config schema has that we accept without deep validation (stored as given). */
const LOOSE_KEYS = [
  'acpi',
  'affinity',
  'allow-ksm',
  'amd-sev',
  'arch',
  'args',
  'audio0',
  'autostart',
  'bios',
  'boot',
  'bootdisk',
  'cdrom',
  'cicustom',
  'citype',
  'cpu',
  'efidisk0',
  'hookscript',
  'hostpci[n]',
  'hotplug',
  'hugepages',
  'ide[n]',
  'import-working-storage',
  'intel-tdx',
  'ivshmem',
  'keephugepages',
  'keyboard',
  'kvm',
  'localtime',
  'machine',
  'migrate_downtime',
  'migrate_speed',
  'numa',
  'numa[n]',
  'ostype',
  'parallel[n]',
  'rng0',
  'sata[n]',
  'scsi[n]',
  'scsihw',
  'serial[n]',
  'smbios1',
  'smp',
  'spice_enhancements',
  'startdate',
  'startup',
  'tablet',
  'tdf',
  'tpmstate0',
  'unused[n]',
  'usb[n]',
  'vga',
  'virtio[n]',
  'virtiofs[n]',
  'vmgenid',
  'vmstatestorage',
  'watchdog',
  'freeze',
  'reboot',
  'template',
  'shares',
  'cpulimit',
  'cpuunits',
  'vcpus',
];

const netFormat = (v: string): string | undefined => {
  const r = parseNet(v);
  return typeof r === 'string' ? r : undefined;
};

const memoryFormat = (v: string): string | undefined => {
  const m = /^(?:current=)?(\d+)$/.exec(v);
  if (!m) return `format error\ncurrent: type check ('integer') failed - got '${v.replace(/^current=/, '')}'`;
  return Number(m[1]) < 16 ? 'format error\ncurrent: value must have a minimum value of 16' : undefined;
};

const agentFormat = (v: string): string | undefined => {
  for (const part of v.split(',')) {
    const [k, val] = part.includes('=') ? part.split('=') : ['enabled', part];
    if (!['enabled', 'fstrim_cloned_disks', 'freeze-fs', 'freeze-fs-on-backup', 'type'].includes(k ?? '')) {
      return `format error\n${k}: property is not defined in schema and the schema does not allow additional properties`;
    }
    if (k !== 'type' && !['0', '1'].includes(val ?? '')) return `format error\n${k}: type check ('boolean') failed - got '${val}'`;
  }
  return undefined;
};

/** Config keys validated like PVE does for the provisioning path. */
export const CONFIG_KEYS: ParamSchema = {
  ...Object.fromEntries(LOOSE_KEYS.map((k) => [k, str])),
  acpi: bool,
  kvm: bool,
  tablet: bool,
  localtime: bool,
  numa: bool,
  freeze: bool,
  reboot: bool,
  template: bool,
  keephugepages: bool,
  agent: { type: 'string', optional: true, format: agentFormat },
  balloon: { type: 'integer', optional: true, minimum: 0 },
  cipassword: str,
  ciupgrade: bool,
  ciuser: str,
  cores: { type: 'integer', optional: true, minimum: 1 },
  sockets: { type: 'integer', optional: true, minimum: 1 },
  vcpus: { type: 'integer', optional: true, minimum: 1 },
  cpuunits: { type: 'integer', optional: true, minimum: 1, maximum: 262144 },
  description: { type: 'string', optional: true, maxLength: 8192 },
  'ipconfig[n]': { type: 'string', optional: true, format: checkIpConfig },
  memory: { type: 'string', optional: true, format: memoryFormat },
  name: { type: 'string', optional: true, format: checkDnsName },
  nameserver: { type: 'string', optional: true, format: checkAddressList },
  'net[n]': { type: 'string', optional: true, format: netFormat },
  onboot: bool,
  protection: bool,
  searchdomain: str,
  sshkeys: { type: 'string', optional: true, format: checkUrlEncoded },
  tags: { type: 'string', optional: true, format: checkTagList },
};

/** POST/PUT config control parameters. */
export const CONFIG_CONTROL: ParamSchema = {
  node: P.node,
  vmid: P.vmid,
  delete: {
    type: 'string',
    optional: true,
    format: (v) => (/^[a-z][a-z0-9_-]*(\d+)?([,;\s]+[a-z][a-z0-9_-]*(\d+)?)*$/i.test(v) ? undefined : 'invalid configuration ID list'),
  },
  revert: str,
  force: bool,
  digest: P.digest,
  skiplock: bool,
  background_delay: { type: 'integer', optional: true, minimum: 1, maximum: 30 },
};

/** Cloud-init keys (applied at once even on a running VM; consumed at next boot). */
export const CLOUDINIT_KEYS = new Set(['ciuser', 'cipassword', 'citype', 'ciupgrade', 'cicustom', 'sshkeys', 'nameserver', 'searchdomain']);
/** Options PVE changes without pending state (fast plug). */
export const FAST_PLUG = new Set(['name', 'description', 'tags', 'onboot', 'protection', 'startup', 'hookscript', 'lock']);
