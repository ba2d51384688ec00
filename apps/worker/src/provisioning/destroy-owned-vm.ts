import { inspectVmid, type PveClient } from '@betang/proxmox';
import { awaitPowerState } from './await-power-state';
import { ownershipOf } from './vm-ownership-proof';
import { clearProtection } from './vm-protection';

export type DestroyOutcome =
  { outcome: 'destroyed' | 'absent'; provenBy?: 'marker' | 'smbios-uuid' } | { outcome: 'not-ours'; state: string; node?: string };

/**
 * Destroys the VM at `vmid` only when its config carries `marker`, or, with the marker removed by
 * an operator, still has the SMBIOS uuid Betang recorded (`recordedSmbiosUuid`; ownershipOf) (stop first and wait until PVE
 * shows it stopped — for an HA-managed VM the stop is only a request to the HA stack — clear the
 * `protection` Betang set at configure, then `DELETE ?purge=1&destroy-unreferenced-disks=1`:
 * purge also removes the VM from HA resources, backup and replication jobs). An absent VM is fine; a foreign or still
 * locked one is left alone. Safe to repeat: a second call finds the VM absent.
 */
export async function destroyOwnedVm(
  pve: PveClient,
  vmid: number,
  marker: string,
  taskDeadlineMs: number,
  signal?: AbortSignal,
  recordedSmbiosUuid?: string | null,
): Promise<DestroyOutcome> {
  const seen = await inspectVmid(pve, vmid, marker, signal ? { signal } : undefined);
  if (seen.state === 'absent') return { outcome: 'absent' };
  const provenBy = ownershipOf(seen, recordedSmbiosUuid);
  if (!provenBy) return { outcome: 'not-ours', state: seen.lock ? `locked (${seen.lock})` : seen.state, node: seen.node };
  const vm = pve.vm(seen.node, vmid);
  const task = { deadlineMs: taskDeadlineMs, ...(signal ? { signal } : {}) };
  if ((await vm.status()).status === 'running') {
    await vm.stop(task);
    // An HA-managed VM's stop task only asks the HA stack; destroy refuses a running VM.
    await awaitPowerState(vm, 'stopped', taskDeadlineMs, signal);
  }
  await clearProtection(vm, seen.config, signal);
  await vm.destroy(task);
  return { outcome: 'destroyed', provenBy };
}
