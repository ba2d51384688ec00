import type { Rng } from '../util/rng';
import { parsePropertyString } from './formats';

const NIC_MODELS = ['e1000', 'e1000e', 'rtl8139', 'virtio', 'vmxnet3', 'i82551', 'i82557b', 'i82559er', 'ne2k_isa', 'ne2k_pci', 'pcnet'];
const NET_KEYS = ['bridge', 'firewall', 'link_down', 'macaddr', 'model', 'mtu', 'queues', 'rate', 'tag', 'trunks'];

interface NetDevice {
  model: string;
  macaddr?: string;
  opts: Record<string, string>;
}

/** Parses a netN value; returns an error text (after "invalid format - ") or the device. */
export function parseNet(v: string): NetDevice | string {
  const kv = parsePropertyString(v);
  if (!kv) return 'format error';
  let dev: NetDevice | undefined;
  const opts: Record<string, string> = {};
  let mac: string | undefined;
  for (const [k, val] of kv) {
    if (NIC_MODELS.includes(k)) {
      if (dev) return 'format error\nmodel: duplicate key in comma-separated list property';
      dev = { model: k, opts };
      if (val !== '') mac = val;
    } else if (k === 'model') {
      if (!NIC_MODELS.includes(val))
        return `format error\nmodel: value '${val}' does not have a value in the enumeration '${NIC_MODELS.join(', ')}'`;
      dev = { model: val, opts };
    } else if (!NET_KEYS.includes(k)) {
      return `format error\n${k}: property is not defined in schema and the schema does not allow additional properties`;
    } else if (k === 'macaddr') {
      mac = val;
    } else {
      opts[k] = val;
    }
  }
  if (!dev) return 'format error\nmodel: property is missing and it is not optional';
  if (mac !== undefined) {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) || (parseInt(mac.slice(0, 2), 16) & 1) === 1) {
      return `format error\nmacaddr: invalid format - value does not look like a valid unicast MAC address`;
    }
    dev.macaddr = mac.toUpperCase();
  }
  if (opts.bridge !== undefined && !/^[-_.\w\d]+$/.test(opts.bridge)) return 'format error\nbridge: invalid format - invalid bridge ID';
  if (opts.tag !== undefined && !(/^\d+$/.test(opts.tag) && +opts.tag >= 1 && +opts.tag <= 4094)) {
    return `format error\ntag: ${/^\d+$/.test(opts.tag) ? 'value must have a minimum value of 1 and maximum of 4094' : `type check ('integer') failed - got '${opts.tag}'`}`;
  }
  for (const b of ['firewall', 'link_down']) {
    if (opts[b] !== undefined && !['0', '1'].includes(opts[b]))
      return `format error\n${b}: type check ('boolean') failed - got '${opts[b]}'`;
  }
  return dev;
}

/** Random MAC with Proxmox's BC:24:11 prefix (upper-case, as PVE writes it). */
export function randomMac(rng: Rng): string {
  const b = [0xbc, 0x24, 0x11, rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  return b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** Prints a device as PVE stores it: `model=MAC` then the other keys alphabetically. */
export function printNet(dev: NetDevice, rng: Rng): string {
  const mac = dev.macaddr ?? randomMac(rng);
  const rest = Object.keys(dev.opts)
    .sort()
    .map((k) => `${k}=${dev.opts[k]}`);
  return [`${dev.model}=${mac}`, ...rest].join(',');
}

/** Whether every NIC of `config` is on one of `bridges` (a config without NICs counts: it reaches nothing). */
export function nicsOnlyOn(config: Record<string, string>, bridges: readonly string[]): boolean {
  return Object.entries(config)
    .filter(([k]) => /^net\d+$/.test(k))
    .every(([, v]) => {
      const dev = parseNet(v);
      return typeof dev !== 'string' && dev.opts.bridge !== undefined && bridges.includes(dev.opts.bridge);
    });
}
