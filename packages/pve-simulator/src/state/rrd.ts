import type { Sim } from '../sim-context';
import { maxDisk, maxMem, uptime, vcpus } from './vm-metrics';

/**
 * One pvestatd broadcast: snapshots every VM's status/name/capacity into the RRD map that
 * /cluster/resources reads. Between broadcasts the view is stale (PVE's ~10 s lag).
 */
export function broadcastRrd(sim: Sim): void {
  for (const vm of sim.state.vms.values()) {
    const node = sim.state.nodes.get(vm.node);
    if (!node?.online) {
      sim.state.rrd.set(vm.vmid, { status: 'unknown' });
      continue;
    }
    sim.state.rrd.set(vm.vmid, {
      status: vm.power === 'stopped' ? 'stopped' : 'running',
      name: vm.config.name,
      maxmem: maxMem(vm.config),
      maxcpu: vcpus(vm.config),
      maxdisk: maxDisk(vm),
      uptime: uptime(sim.clock.now(), vm),
    });
  }
  for (const id of [...sim.state.rrd.keys()]) if (!sim.state.vms.has(id)) sim.state.rrd.delete(id);
}
