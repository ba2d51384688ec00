import type { PveClient, VmConfig } from '@betang/proxmox';
import { vmPath } from './pve-vm';

/**
 * Clears PVE's `protection` flag of a VM about to be destroyed (PVE refuses destroy and disk
 * removal of a protected VM: "can't remove VM N - protection mode enabled"). Synchronous PUT;
 * nothing to do when `config` shows the flag off, and clearing it twice changes nothing.
 */
export async function clearProtection(pve: PveClient, node: string, vmid: number, config: VmConfig | undefined, signal?: AbortSignal): Promise<boolean> {
  if (config && !config.protection) return false;
  await pve.request('PUT', `${vmPath(node, vmid)}/config`, { delete: 'protection' }, signal ? { signal } : undefined);
  return true;
}
