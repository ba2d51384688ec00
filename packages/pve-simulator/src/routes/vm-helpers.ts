import { die } from '../server/pve-error';
import type { Sim } from '../sim-context';
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

/** Applies pending changes (start/reboot do this). */
export function applyPending(vm: SimVm): void {
  Object.assign(vm.config, vm.pending);
  for (const k of vm.pendingDelete) delete vm.config[k];
  vm.pending = {};
  vm.pendingDelete = [];
}
