import type { VmConfig } from '@betang/proxmox';

/** MAC address of a `netN` value (`virtio=BC:24:11:…,bridge=…`), lower-case. */
export function macOf(net: unknown): string | undefined {
  return typeof net === 'string' ? /(?:^|,)[a-z0-9]+=([0-9a-f]{2}(?::[0-9a-f]{2}){5})(?:,|$)/i.exec(net)?.[1]?.toLowerCase() : undefined;
}

const DISK_KEYS = ['scsi0', 'virtio0', 'sata0', 'ide0'];

/** The boot disk key and its size in GiB (rounded up), from a VM config; undefined when none. */
export function bootDisk(config: VmConfig): { key: string; sizeGiB: number } | undefined {
  for (const key of DISK_KEYS) {
    const value = config[key];
    if (typeof value !== 'string' || /media=cdrom|cloudinit/.test(value)) continue;
    const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(value);
    if (!m) continue;
    const n = Number(m[1]);
    const unit = m[2] ?? '';
    const gib = unit === 'T' ? n * 1024 : unit === 'G' ? n : unit === 'M' ? n / 1024 : unit === 'K' ? n / 1024 ** 2 : n / 1024 ** 3;
    return { key, sizeGiB: Math.ceil(gib - 1e-9) };
  }
  return undefined;
}
