import type { PveClient } from '../client/pve-client';
import type { CallOptions } from '../client/request-engine';
import { parseResourceList, ZClusterNode, ZClusterStorage, ZClusterVm, type ClusterVm } from '../wire/resources.schema';

export type StorageCapacity = {
  storage: string;
  plugintype?: string;
  content: string[];
  shared: boolean;
  available: boolean;
  totalBytes?: number;
  usedBytes?: number;
  freeBytes?: number;
};

export type NodeCapacity = {
  node: string;
  online: boolean;
  /** False when the token lacks Sys.Audit on the node: PVE then omits the numbers. */
  statsVisible: boolean;
  cpuUsage?: number;
  cpuCount?: number;
  memTotalBytes?: number;
  memUsedBytes?: number;
  memFreeBytes?: number;
  storages: StorageCapacity[];
};

/**
 * Live capacity per node from `/cluster/resources?type=node` and `?type=storage`
 * (numbers lag up to ~10 s; fine for placement, which re-checks under a per-node limit).
 * Nodes whose status is not `online` are listed with `online: false` so placement can skip
 * them without failing. Read-only, so safe to repeat.
 */
export async function nodeCapacity(client: PveClient, opts?: CallOptions): Promise<NodeCapacity[]> {
  const [nodesRaw, storesRaw] = await Promise.all([
    client.request('GET', '/cluster/resources', { type: 'node' }, opts),
    client.request('GET', '/cluster/resources', { type: 'storage' }, opts),
  ]);
  return capacityOf(nodesRaw, storesRaw);
}

/** VMs and node capacity from one `/cluster/resources` answer. */
export type ClusterSnapshot = { vms: ClusterVm[]; nodes: NodeCapacity[] };

/**
 * The cluster's VMs and per-node capacity from ONE `GET /cluster/resources` (no `type`: PVE
 * then returns node, VM, storage and pool entries together; §4.2), instead of one call per
 * type. Same lag caveats as nodeCapacity and listClusterVms. Read-only, so safe to repeat.
 */
export async function clusterSnapshot(client: PveClient, opts?: CallOptions): Promise<ClusterSnapshot> {
  const all = await client.request('GET', '/cluster/resources', undefined, opts);
  return { vms: parseResourceList(all, ZClusterVm), nodes: capacityOf(all, all) };
}

function capacityOf(nodesRaw: unknown, storesRaw: unknown): NodeCapacity[] {
  const stores = parseResourceList(storesRaw, ZClusterStorage);
  return parseResourceList(nodesRaw, ZClusterNode)
    .map((n): NodeCapacity => {
      const statsVisible = n.maxmem !== undefined;
      const free = n.maxmem !== undefined && n.mem !== undefined ? Math.max(0, n.maxmem - n.mem) : undefined;
      return {
        node: n.node,
        online: n.status === 'online',
        statsVisible,
        ...(n.cpu === undefined ? {} : { cpuUsage: n.cpu }),
        ...(n.maxcpu === undefined ? {} : { cpuCount: n.maxcpu }),
        ...(n.maxmem === undefined ? {} : { memTotalBytes: n.maxmem }),
        ...(n.mem === undefined ? {} : { memUsedBytes: n.mem }),
        ...(free === undefined ? {} : { memFreeBytes: free }),
        storages: stores
          .filter((s) => s.node === n.node)
          .map((s) => ({
            storage: s.storage,
            ...(s.plugintype === undefined ? {} : { plugintype: s.plugintype }),
            content: (s.content ?? '')
              .split(',')
              .map((c) => c.trim())
              .filter((c) => c.length > 0),
            shared: s.shared ?? false,
            available: s.status === 'available',
            ...(s.maxdisk === undefined ? {} : { totalBytes: s.maxdisk }),
            ...(s.disk === undefined ? {} : { usedBytes: s.disk }),
            ...(s.maxdisk !== undefined && s.disk !== undefined ? { freeBytes: Math.max(0, s.maxdisk - s.disk) } : {}),
          }))
          .sort((a, b) => a.storage.localeCompare(b.storage)),
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}
