import type { Sim } from '../sim-context';
import type { SimNode } from '../state/cluster-state';
import { maxMem } from '../state/vm-metrics';

/** CPU/memory/disk/uptime of a node, derived from the VMs running on it. */
export function nodeStats(
  sim: Sim,
  n: SimNode,
): { maxcpu: number; cpu: number; maxmem: number; mem: number; maxdisk: number; disk: number; uptime: number } {
  let mem = 4 * 1024 ** 3;
  let running = 0;
  for (const vm of sim.state.vms.values()) {
    if (vm.node === n.name && vm.power !== 'stopped') {
      mem += maxMem(vm.config);
      running++;
    }
  }
  return {
    maxcpu: n.cpus,
    cpu: Math.min(1, 0.02 + running * 0.01),
    maxmem: n.memoryBytes,
    mem: Math.min(mem, n.memoryBytes),
    maxdisk: 100 * 1024 ** 3,
    disk: 12 * 1024 ** 3,
    uptime: Math.floor((sim.clock.now() - n.bootTime) / 1000),
  };
}

/** /cluster/resources storage entries: one per node where the storage is enabled. */
export function storageEntries(sim: Sim): unknown[] {
  const out: unknown[] = [];
  for (const n of sim.state.nodes.values()) {
    for (const s of sim.state.storages) {
      if (s.nodes && !s.nodes.includes(n.name)) continue;
      out.push({
        id: `storage/${n.name}/${s.id}`,
        type: 'storage',
        storage: s.id,
        node: n.name,
        plugintype: s.type,
        content: s.content,
        shared: s.shared ? 1 : 0,
        status: n.online ? 'available' : 'unknown',
        maxdisk: s.totalGiB * 1024 ** 3,
        disk: sim.state.storageUsed(s.id, n.name),
      });
    }
  }
  return out;
}
