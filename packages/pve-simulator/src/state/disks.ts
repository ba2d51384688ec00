import { formatSize, parseSize } from './formats';

export const DISK_KEY = /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/;

/** A parsed disk line, e.g. `ceph:base-9000-disk-0/vm-101-disk-0,size=3G`. */
interface DiskInfo {
  storage: string;
  volume: string;
  sizeBytes: number;
  isCdrom: boolean;
  isCloudinit: boolean;
  opts: Array<[string, string]>;
}

/** Parses a disk value; undefined when it is not a storage-backed volume (e.g. `none,media=cdrom`). */
export function parseDisk(v: string): DiskInfo | undefined {
  const [first, ...rest] = v.split(',');
  if (!first || !first.includes(':')) return undefined;
  const i = first.indexOf(':');
  const opts: Array<[string, string]> = rest.map((p) => {
    const j = p.indexOf('=');
    return j < 0 ? [p, ''] : [p.slice(0, j), p.slice(j + 1)];
  });
  const size = opts.find(([k]) => k === 'size')?.[1];
  const volume = first.slice(i + 1);
  return {
    storage: first.slice(0, i),
    volume,
    sizeBytes: size ? (parseSize(size)?.bytes ?? 0) : 0,
    isCdrom: opts.some(([k, val]) => k === 'media' && val === 'cdrom'),
    isCloudinit: volume.includes('cloudinit'),
    opts,
  };
}

/** Prints a disk back with an updated size. */
export function printDisk(d: DiskInfo, sizeBytes = d.sizeBytes): string {
  const opts = d.opts.filter(([k]) => k !== 'size');
  const parts = [`${d.storage}:${d.volume}`, ...opts.map(([k, v]) => (v === '' ? k : `${k}=${v}`))];
  if (!d.isCdrom) parts.push(`size=${formatSize(sizeBytes)}`);
  return parts.join(',');
}

/** Disks of a config (storage-backed, not cdroms). */
export function configDisks(config: Record<string, string>): Array<[string, DiskInfo]> {
  const out: Array<[string, DiskInfo]> = [];
  for (const [k, v] of Object.entries(config)) {
    if (!DISK_KEY.test(k)) continue;
    const d = parseDisk(v);
    if (d) out.push([k, d]);
  }
  return out;
}
