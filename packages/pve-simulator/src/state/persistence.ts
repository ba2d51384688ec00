import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { agentEnabled } from '../guest/agent-model';
import type { Sim } from '../sim-context';
import type { SimVm } from './types';

/** What survives a restart of the simulator: the VMs and their pools (tasks and locks do not). */
interface PersistedCluster {
  version: 1;
  savedAt: string;
  vms: PersistedVm[];
}

type PersistedVm = Pick<
  SimVm,
  'vmid' | 'node' | 'config' | 'pending' | 'pendingDelete' | 'defaultUser' | 'createdAt' | 'hostKey' | 'bootConfig'
> & {
  /** Absent in files saved before snapshots were modelled. */
  snapshots?: SimVm['snapshots'];
  running: boolean;
  pool?: string;
};

/** The cluster's VMs as plain data (exec records and timers are runtime-only and left out). */
function persistedVms(sim: Sim): PersistedVm[] {
  const vms: PersistedVm[] = [...sim.state.vms.values()].map((vm) => ({
    vmid: vm.vmid,
    node: vm.node,
    config: vm.config,
    pending: vm.pending,
    pendingDelete: vm.pendingDelete,
    snapshots: vm.snapshots,
    defaultUser: vm.defaultUser,
    createdAt: vm.createdAt,
    hostKey: vm.hostKey,
    bootConfig: vm.bootConfig,
    running: vm.power !== 'stopped',
    pool: sim.state.poolOf(vm.vmid),
  }));
  return vms.sort((a, b) => a.vmid - b.vmid);
}

/**
 * Replaces the seeded VMs with the saved ones. A VM that was running comes back running with its
 * guest agent already up (the cluster did not reboot — only the process holding it restarted).
 * VMs on nodes that no longer exist are skipped and returned, so the caller can say so.
 * Throws on a file that is not a saved cluster, rather than starting from half of it.
 */
async function restoreCluster(sim: Sim, json: string): Promise<{ restored: number; skipped: number[] }> {
  const data = JSON.parse(json) as Partial<PersistedCluster>;
  if (data.version !== 1 || !Array.isArray(data.vms)) throw new Error('not a saved simulator cluster (version 1)');
  const skipped: number[] = [];
  const keep = data.vms.filter((saved) => {
    const ok = sim.state.nodes.has(saved.node) && Number.isInteger(saved.vmid) && typeof saved.config === 'object';
    if (!ok) skipped.push(saved.vmid);
    return ok;
  });
  sim.state.vms.clear();
  for (const pool of sim.state.pools.values()) pool.members.clear();
  const now = sim.clock.now();
  for (const saved of keep) {
    const vm = sim.state.newVm(saved.vmid, saved.node, saved.config, saved.defaultUser);
    Object.assign(vm, {
      pending: saved.pending ?? {},
      pendingDelete: saved.pendingDelete ?? [],
      snapshots: saved.snapshots ?? {},
      createdAt: saved.createdAt,
      hostKey: saved.hostKey,
      bootConfig: saved.bootConfig,
    });
    if (saved.pool) {
      if (!sim.state.pools.has(saved.pool)) sim.state.pools.set(saved.pool, { members: new Set() });
      sim.state.setPool(vm.vmid, saved.pool);
    }
    if (saved.running && sim.qemu) {
      // A real guest does not outlive the process that ran its qemu: boot it again from its disk.
      vm.agentOnAtStart = agentEnabled(vm.config.agent);
      const config = saved.bootConfig ?? vm.config;
      try {
        const pid = await sim.qemu.start(
          vm,
          config,
          () => undefined,
          () => {
            if (vm.pid === pid) Object.assign(vm, { power: 'stopped', pid: undefined, startedAt: undefined });
          },
        );
        Object.assign(vm, { power: 'running', startedAt: now, pid });
      } catch {
        // left stopped: the operator starts it again
      }
    } else if (saved.running) {
      const node = sim.state.node(vm.node);
      vm.power = 'running';
      vm.startedAt = now;
      vm.pid = node.nextPid;
      node.nextPid += 7;
      vm.agentOnAtStart = agentEnabled(vm.config.agent);
      vm.agentPlan = { notRunningUntil: now, timeoutUntil: now, linkLocalUntil: now, hostKeysAt: now, cloudInitDoneAt: now };
      await sim.guest.ensureSsh(vm);
    }
  }
  return { restored: keep.length, skipped };
}

/**
 * Keeps `file` in step with the cluster: loads it at start when it exists, then writes it
 * (atomically: temporary file + rename) whenever the cluster changed, checked every `everyMs`,
 * and once more on stop. A crash loses at most the last `everyMs` of changes.
 */
export async function persistClusterTo(
  sim: Sim,
  file: string,
  everyMs = 2000,
): Promise<{ restored: number; skipped: number[]; stop: () => void }> {
  const loaded = existsSync(file) ? await restoreCluster(sim, readFileSync(file, 'utf8')) : { restored: 0, skipped: [] };
  let last = '';
  const save = () => {
    const vms = persistedVms(sim);
    const comparable = JSON.stringify(vms);
    if (comparable === last) return;
    const data: PersistedCluster = { version: 1, savedAt: new Date().toISOString(), vms };
    writeFileSync(`${file}.tmp`, JSON.stringify(data), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    last = comparable;
  };
  save();
  const timer = setInterval(save, everyMs);
  timer.unref();
  return {
    ...loaded,
    stop: () => {
      clearInterval(timer);
      save();
    },
  };
}
