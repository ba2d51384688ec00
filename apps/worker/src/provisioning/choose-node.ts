import type { NodeCapacity } from '@betang/proxmox';

export type PlacementNeed = {
  templateNode: string;
  /** Storage of the template's disks (the clone's disks land on the same storage). */
  storage: string | null;
  memoryBytes: number;
  diskBytes: number;
};

export type Placement =
  | { ok: true; node: string }
  | { ok: false; reason: 'offline'; node: string }
  | { ok: false; reason: 'memory' | 'disk'; node: string; freeBytes: number };

/**
 * VMs placed but not yet visible in the capacity numbers: `/cluster/resources` shows a node's
 * memory only once its VMs run (and lags ~10 s more), and a clone's disk only once it is written.
 */
export type InFlight = { node: string; storage: string | null; memoryBytes: number; diskBytes: number };

/**
 * Picks the node for a new VM from live capacity: when the template's storage is shared, any
 * online node that has it; otherwise only the template's node. Capacity is what PVE reports
 * minus the VMs placed but not visible yet (`inFlight`). Among nodes with room it takes the one
 * with the fewest VMs in flight (each node clones only PVE_CLONE_LIMIT_PER_NODE at a time, so
 * this keeps every node's clone slots busy instead of queueing on one), then the most free
 * memory, then the name — so a burst of requests spreads round-robin over equal nodes and never
 * piles onto the node a lagging snapshot shows as emptiest. Pure; when none fits it says why,
 * about the best candidate.
 */
export function chooseNode(nodes: readonly NodeCapacity[], need: PlacementNeed, inFlight: readonly InFlight[] = []): Placement {
  const templateHost = nodes.find((n) => n.node === need.templateNode);
  const shared = need.storage !== null && templateHost?.storages.some((s) => s.storage === need.storage && s.shared) === true;
  const candidates = nodes
    .filter((n) => (shared ? n.storages.some((s) => s.storage === need.storage && s.available) : n.node === need.templateNode))
    .filter((n) => n.online);
  if (candidates.length === 0) return { ok: false, reason: 'offline', node: need.templateNode };
  const onNode = (n: NodeCapacity) => inFlight.filter((f) => f.node === n.node);
  const sum = (xs: readonly InFlight[], f: (x: InFlight) => number) => xs.reduce((a, x) => a + f(x), 0);
  const freeMemory = (n: NodeCapacity) => (n.memFreeBytes ?? Number.MAX_SAFE_INTEGER) - sum(onNode(n), (f) => f.memoryBytes);
  const freeDisk = (n: NodeCapacity) => {
    const reported = n.storages.find((s) => s.storage === need.storage)?.freeBytes ?? Number.MAX_SAFE_INTEGER;
    const pending = inFlight.filter((f) => f.storage === need.storage && (shared || f.node === n.node));
    return reported - sum(pending, (f) => f.diskBytes);
  };
  const ranked = [...candidates].sort((a, b) => onNode(a).length - onNode(b).length || freeMemory(b) - freeMemory(a) || a.node.localeCompare(b.node));
  const fit = ranked.find((n) => freeMemory(n) >= need.memoryBytes && freeDisk(n) >= need.diskBytes);
  if (fit) return { ok: true, node: fit.node };
  const best = [...candidates].sort((a, b) => freeMemory(b) - freeMemory(a) || a.node.localeCompare(b.node))[0]!;
  return freeMemory(best) < need.memoryBytes
    ? { ok: false, reason: 'memory', node: best.node, freeBytes: Math.max(0, freeMemory(best)) }
    : { ok: false, reason: 'disk', node: best.node, freeBytes: Math.max(0, freeDisk(best)) };
}

/** The storage of a VM's first disk from its config (`scsi0: ceph:base-9000-disk-0,size=3G`), ignoring CD-ROM and cloud-init drives. */
export function diskStorageOf(config: Record<string, unknown>): string | null {
  const disk = Object.keys(config)
    .filter((k) => /^(scsi|virtio|sata|ide)\d+$/.test(k))
    .sort()
    .map((k) => String(config[k]))
    .find((v) => !/media=cdrom|cloudinit/.test(v));
  return disk?.includes(':') ? disk.split(':')[0]! : null;
}
