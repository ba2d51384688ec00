import { inspectVmid, type PveClient } from '@betang/proxmox';

export type DestroyOutcome = { outcome: 'destroyed' | 'absent' } | { outcome: 'not-ours'; state: string; node?: string };

/**
 * Destroys the VM at `vmid` only when its config carries `marker` (stop first, then
 * `DELETE ?purge=1&destroy-unreferenced-disks=1`). An absent VM is fine; a foreign or still
 * locked one is left alone. Safe to repeat: a second call finds the VM absent.
 */
export async function destroyOwnedVm(pve: PveClient, vmid: number, marker: string, taskDeadlineMs: number, signal?: AbortSignal): Promise<DestroyOutcome> {
  const seen = await inspectVmid(pve, vmid, marker, signal ? { signal } : undefined);
  if (seen.state === 'absent') return { outcome: 'absent' };
  if (seen.state !== 'ours' || seen.lock) return { outcome: 'not-ours', state: seen.lock ? `locked (${seen.lock})` : seen.state, node: seen.node };
  const vm = pve.vm(seen.node, vmid);
  const task = { deadlineMs: taskDeadlineMs, ...(signal ? { signal } : {}) };
  if ((await vm.status()).status === 'running') await vm.stop(task);
  await vm.destroy(task);
  return { outcome: 'destroyed' };
}
