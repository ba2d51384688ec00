/** A storage as the cluster snapshot records it. */
type Storage = { storage: string; shared: boolean; available: boolean; content?: string[]; totalBytes?: number };

const GIB = 1024 ** 3;

/** Whether a storage can hold VM disks and its size is known (PVE's `images` content, status available). */
function holdsVmDisks(s: Storage): s is Storage & { totalBytes: number } {
  return s.available && (s.content ?? []).includes('images') && typeof s.totalBytes === 'number';
}

/**
 * The disk space (GiB, one decimal) a node can give VM disks: the size of every available storage
 * with `images` content it sees, its own and the shared ones. Null when none is known, so the
 * dashboard says "unknown" rather than 0.
 */
export function nodeDiskGiB(storages: readonly Storage[]): number | null {
  const usable = storages.filter(holdsVmDisks);
  if (usable.length === 0) return null;
  return Math.round((usable.reduce((sum, s) => sum + s.totalBytes, 0) / GIB) * 10) / 10;
}

/**
 * The cluster's disk space for VM disks (GiB, one decimal): each node's local storages, and each
 * shared storage once (every node reports it, under the same name). Null when none is known.
 */
export function clusterDiskGiB(nodes: readonly { storages: readonly Storage[] }[]): number | null {
  const shared = new Map<string, number>();
  let local = 0;
  let known = false;
  for (const n of nodes)
    for (const s of n.storages.filter(holdsVmDisks)) {
      known = true;
      if (s.shared) shared.set(s.storage, Math.max(shared.get(s.storage) ?? 0, s.totalBytes));
      else local += s.totalBytes;
    }
  if (!known) return null;
  const bytes = local + [...shared.values()].reduce((sum, b) => sum + b, 0);
  return Math.round((bytes / GIB) * 10) / 10;
}
