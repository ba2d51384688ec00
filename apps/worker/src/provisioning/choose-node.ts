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
 * Picks the node for a new VM from live capacity: when the template's storage is shared, any
 * online node that has it; otherwise only the template's node. Among nodes with enough free
 * memory and disk it takes the one with the most free memory (name breaks ties), so VMs spread
 * over the cluster. Pure; when none fits it says why, about the best candidate.
 */
export function chooseNode(nodes: readonly NodeCapacity[], need: PlacementNeed): Placement {
  const templateHost = nodes.find((n) => n.node === need.templateNode);
  const shared = need.storage !== null && templateHost?.storages.some((s) => s.storage === need.storage && s.shared) === true;
  const candidates = nodes
    .filter((n) => (shared ? n.storages.some((s) => s.storage === need.storage && s.available) : n.node === need.templateNode))
    .filter((n) => n.online);
  if (candidates.length === 0) return { ok: false, reason: 'offline', node: need.templateNode };
  const freeMemory = (n: NodeCapacity) => n.memFreeBytes ?? Number.MAX_SAFE_INTEGER;
  const freeDisk = (n: NodeCapacity) => n.storages.find((s) => s.storage === need.storage)?.freeBytes ?? Number.MAX_SAFE_INTEGER;
  const ranked = [...candidates].sort((a, b) => freeMemory(b) - freeMemory(a) || a.node.localeCompare(b.node));
  const fit = ranked.find((n) => freeMemory(n) >= need.memoryBytes && freeDisk(n) >= need.diskBytes);
  if (fit) return { ok: true, node: fit.node };
  const best = ranked[0]!;
  return freeMemory(best) < need.memoryBytes
    ? { ok: false, reason: 'memory', node: best.node, freeBytes: freeMemory(best) }
    : { ok: false, reason: 'disk', node: best.node, freeBytes: freeDisk(best) };
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
