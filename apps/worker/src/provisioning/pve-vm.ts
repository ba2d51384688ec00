import { driveSizeBytes } from './disk-size';
import type { VmConfig } from '@betang/proxmox';

/** MAC address of a `netN` value (`virtio=BC:24:11:…,bridge=…`), lower-case. */
export function macOf(net: unknown): string | undefined {
  return typeof net === 'string' ? /(?:^|,)[a-z0-9]+=([0-9a-f]{2}(?::[0-9a-f]{2}){5})(?:,|$)/i.exec(net)?.[1]?.toLowerCase() : undefined;
}

const DISK_KEYS = ['scsi0', 'virtio0', 'sata0', 'ide0'];

/** The boot disk key and its exact size in bytes (as PVE wrote it: `size=3584M` is 3.5 GiB), from a VM config; undefined when none. */
export function bootDisk(config: VmConfig): { key: string; sizeBytes: number } | undefined {
  for (const key of DISK_KEYS) {
    const value = config[key];
    if (typeof value !== 'string' || /media=cdrom|cloudinit/.test(value)) continue;
    const sizeBytes = driveSizeBytes(value);
    if (sizeBytes === undefined) continue;
    return { key, sizeBytes };
  }
  return undefined;
}
