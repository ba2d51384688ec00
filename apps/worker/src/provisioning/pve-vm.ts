import { driveSizeBytes } from './disk-size';
import { waitForTask, ZVmConfig, ZVmStatusCurrent, type PveClient, type PveParams, type VmConfig, type VmStatusCurrent } from '@betang/proxmox';

/** Path of a VM on a node. Node names come from PVE itself or the catalog (validated there). */
export function vmPath(node: string, vmid: number): string {
  return `/nodes/${encodeURIComponent(node)}/qemu/${vmid}`;
}

/** Current (not pending) config of a VM. Read-only. */
export async function readVmConfig(pve: PveClient, node: string, vmid: number): Promise<VmConfig> {
  return ZVmConfig.parse(await pve.request('GET', `${vmPath(node, vmid)}/config`, { current: 1 }));
}

/** Power state and lock of a VM. Read-only. */
export async function readVmStatus(pve: PveClient, node: string, vmid: number): Promise<VmStatusCurrent> {
  return ZVmStatusCurrent.parse(await pve.request('GET', `${vmPath(node, vmid)}/status/current`));
}

/** Sends a task-creating call once and waits for its task (never re-sent: callers re-check state first). */
export async function runTask(pve: PveClient, method: string, path: string, params: PveParams | undefined, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const upid = await pve.request<string>(method, path, params, signal ? { signal } : undefined);
  if (typeof upid === 'string' && upid.startsWith('UPID:')) await waitForTask(pve, upid, { deadlineMs, ...(signal ? { signal } : {}) });
}

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
