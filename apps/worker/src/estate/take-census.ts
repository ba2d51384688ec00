import type { EstateAddress } from '@betang/core';
import { replaceEstateCensus, type EstateVmObservation } from '@betang/db';
import { listClusterVms, type ClusterVm, type PveClient, type VmConfig } from '@betang/proxmox';
import type { WorkerDeps } from '../deps';
import { macOf } from '../provisioning/pve-vm';
import { requirePve } from '../provisioning/provision-context';
import { smbiosUuidOf } from '../provisioning/vm-ownership-proof';
import { settingsOf } from '../settings';

const GiB = 1024 ** 3;
/** Concurrent config/agent reads: a census of hundreds of VMs must not flood the PVE API. */
const PARALLEL = 6;
/** A guest agent that does not answer within this is counted as absent for this census. */
const AGENT_TIMEOUT_MS = 3000;

/** Addresses in `ipconfigN` (`ip=10.0.0.5/24,gw=…`), as the config declares them. */
export function configAddresses(config: VmConfig): EstateAddress[] {
  const out: EstateAddress[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!/^ipconfig\d+$/.test(key) || typeof value !== 'string') continue;
    const ip = /(?:^|,)ip=([0-9.]+)\//.exec(value)?.[1];
    if (ip) out.push({ address: ip, source: 'config' });
  }
  return out;
}

/** A config carrying a marker line of Betang's (`betang-run=…`) belongs to Betang even with its tags removed. */
function carriesBetangMarker(config: VmConfig): boolean {
  return (config.description ?? '').split('\n').some((l) => l.startsWith('betang-run='));
}

async function agentAddresses(pve: PveClient, vm: ClusterVm): Promise<EstateAddress[] | undefined> {
  try {
    const ifaces = await pve.vm(vm.node, vm.vmid).agent.networkInterfaces({ timeoutMs: AGENT_TIMEOUT_MS });
    return ifaces
      .filter((i) => i.name !== 'lo')
      .flatMap((i) => (i['ip-addresses'] ?? []).filter((a) => a['ip-address-type'] === 'ipv4'))
      .map((a) => ({ address: a['ip-address'], source: 'agent' as const }));
  } catch {
    // No agent, not running, or not answering: the config is all there is to go on.
    return undefined;
  }
}

async function observe(
  pve: PveClient,
  vm: ClusterVm,
  range: { min: number; max: number },
  now: Date,
): Promise<EstateVmObservation | undefined> {
  const config = await pve.vm(vm.node, vm.vmid).findConfig();
  if (!config || config.template || carriesBetangMarker(config) || config.tags.includes('betang')) return undefined;
  const running = vm.status === 'running';
  const fromAgent = running && config.agent ? await agentAddresses(pve, vm) : undefined;
  const cores = (config.cores ?? 1) * (config.sockets ?? 1);
  return {
    vmid: vm.vmid,
    node: vm.node,
    name: config.name ?? vm.name ?? null,
    tags: config.tags,
    notes: config.description?.trim() ? config.description : null,
    cores,
    memoryMiB: config.memory ?? 0,
    diskGiB: vm.maxdisk ? Math.round(vm.maxdisk / GiB) : 0,
    power: vm.status ?? 'unknown',
    agent: fromAgent !== undefined,
    addresses: [...(fromAgent ?? []), ...configAddresses(config)],
    macAddress: macOf(config.net0) ?? null,
    smbiosUuid: smbiosUuidOf(config) ?? null,
    inBetangRange: vm.vmid >= range.min && vm.vmid <= range.max,
    lock: config.lock ?? null,
    observedAt: now,
  };
}

/**
 * Takes a census of the cluster's VMs that carry no Betang marker (tag or description line):
 * what Proxmox says of each (node, name, tags, notes, sizes, power) and its addresses, from the
 * guest agent when it answers, else from the config. Read-only towards Proxmox; replaces the
 * census in one transaction (keeping each VM's recorded decisions), so running it twice with an
 * unchanged cluster writes the same rows.
 */
export async function takeCensus(deps: WorkerDeps): Promise<{ vms: number }> {
  const pve = requirePve(deps);
  const s = settingsOf(deps);
  const range = { min: s.PVE_VMID_MIN, max: s.PVE_VMID_MAX };
  const now = new Date();
  const candidates = (await listClusterVms(pve)).filter((v) => v.type === 'qemu' && !v.template && !v.tags.includes('betang'));
  const seen: EstateVmObservation[] = [];
  for (let i = 0; i < candidates.length; i += PARALLEL) {
    const batch = await Promise.all(candidates.slice(i, i + PARALLEL).map((v) => observe(pve, v, range, now)));
    for (const o of batch) if (o) seen.push(o);
  }
  await deps.db.transaction().execute((tx) => replaceEstateCensus(tx, seen));
  return { vms: seen.length };
}
