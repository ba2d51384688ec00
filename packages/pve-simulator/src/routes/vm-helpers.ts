import { die } from '../server/pve-error';
import type { Sim } from '../sim-context';
import { memoryMiB } from '../state/config-wire';
import { configDisks } from '../state/disks';
import type { SimVm } from '../state/types';
import { vmLockPath } from '../tasks/flock';
import type { Release } from '../tasks/flock';

/** PVE's check_lock: `VM is locked (<lock>)` unless skiplock. */
export function checkLock(vm: SimVm, skiplock = false): void {
  const lock = vm.config.lock;
  if (lock && !skiplock) throw die(`VM is locked (${lock})`);
}

/** Takes the VM's config flock (realistic wait in ms; 10 s is PVE's default). */
export function lockVm(sim: Sim, vmid: number, waitMs = 10_000, shared = false): Promise<Release> {
  return sim.flocks.acquire(vmLockPath(vmid), waitMs, shared);
}

/** The VM must still exist on the node when a task body continues (it may have been destroyed meanwhile). */
export function stillThere(sim: Sim, vm: SimVm): SimVm {
  const cur = sim.state.vms.get(vm.vmid);
  if (cur !== vm) throw die(`Configuration file 'nodes/${vm.node}/qemu-server/${vm.vmid}.conf' does not exist`);
  return vm;
}

/** Root disk size in bytes (first storage-backed non-cdrom disk). */
export function maxDisk(vm: SimVm): number {
  const d = configDisks(vm.config).find(([, x]) => !x.isCdrom);
  return d ? d[1].sizeBytes : 0;
}

/** vCPUs of a config. */
export function vcpus(config: Record<string, string>): number {
  return Number(config.cores ?? 1) * Number(config.sockets ?? 1);
}

/** Max memory in bytes. */
export function maxMem(config: Record<string, string>): number {
  return memoryMiB(config) * 1024 * 1024;
}

/** Uptime in seconds of a running VM. */
export function uptime(sim: Sim, vm: SimVm): number {
  return vm.power === 'running' && vm.startedAt ? Math.floor((sim.clock.now() - vm.startedAt) / 1000) : 0;
}

/** Applies pending changes (start/reboot do this). */
export function applyPending(vm: SimVm): void {
  Object.assign(vm.config, vm.pending);
  for (const k of vm.pendingDelete) delete vm.config[k];
  vm.pending = {};
  vm.pendingDelete = [];
}
