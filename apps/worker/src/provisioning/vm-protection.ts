import type { VmClient, VmConfig } from '@betang/proxmox';

/**
 * Clears PVE's `protection` flag of a VM about to be destroyed (PVE refuses destroy and disk
 * removal of a protected VM: "can't remove VM N - protection mode enabled"). Synchronous PUT;
 * nothing to do when `config` shows the flag off, and clearing it twice changes nothing.
 */
export async function clearProtection(vm: VmClient, config: VmConfig | undefined, signal?: AbortSignal): Promise<boolean> {
  if (config && !config.protection) return false;
  await vm.setProtection(false, signal ? { signal } : undefined);
  return true;
}
