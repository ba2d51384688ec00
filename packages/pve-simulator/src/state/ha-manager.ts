import type { Sim } from '../sim-context';
import type { TaskContext } from '../tasks/task-manager';
import type { HaState } from './ha-types';
import type { SimVm } from './types';

export type { HaResource, HaState } from './ha-types';

/** Realistic seconds from a request (`ha-manager set` / `crm-command stop`) to the LRM acting: one CRM and one LRM round. */
const HA_ROUND_SECONDS = 10;

/** Power helpers the HA manager needs from the power routes (passed in to keep the modules acyclic). */
export interface HaPower {
  boot(sim: Sim, vm: SimVm, t: TaskContext): Promise<void>;
  powerOff(vm: SimVm): void;
}

/**
 * Records a new requested state, as `ha-manager set vm:N --state X` or `crm-command stop` do, and
 * lets the simulated LRM act on it one round later: a VM requested `stopped`/`disabled` and still
 * running is stopped (a `qmshutdown` task owned by root@pam, like the LRM's), one requested
 * `started` and stopped is started (`qmstart`). The request itself never waits for that.
 */
export function requestHaState(sim: Sim, power: HaPower, vmid: number, state: HaState): void {
  const res = sim.state.ha.get(vmid);
  if (!res) return;
  res.state = state;
  if (res.pendingTimer) clearTimeout(res.pendingTimer);
  res.pendingTimer = setTimeout(
    () => {
      res.pendingTimer = undefined;
      const vm = sim.state.vms.get(vmid);
      if (!vm || sim.state.ha.get(vmid) !== res) return;
      const root = { user: 'root@pam' };
      if ((res.state === 'stopped' || res.state === 'disabled') && vm.power !== 'stopped') {
        sim.tasks.start(vm.node, 'qmshutdown', String(vmid), root, async (t) => {
          await t.sleep(5000);
          power.powerOff(vm);
        });
      } else if (res.state === 'started' && vm.power === 'stopped') {
        sim.tasks.start(vm.node, 'qmstart', String(vmid), root, (t) => power.boot(sim, vm, t));
      }
    },
    sim.clock.scale(HA_ROUND_SECONDS * 1000),
  );
  res.pendingTimer.unref?.();
}

/** Forgets a VM's HA resource (destroy with purge, `DELETE /cluster/ha/resources/vm:N`). */
export function removeHaResource(sim: Sim, vmid: number): boolean {
  const res = sim.state.ha.get(vmid);
  if (!res) return false;
  if (res.pendingTimer) clearTimeout(res.pendingTimer);
  sim.state.ha.delete(vmid);
  return true;
}
