import type { NodeCapacity } from '@betang/proxmox';

/** A copy of the catalog template in the cluster: where it is and on which storage its disks are. */
export type TemplateSource = {
  vmid: number;
  node: string;
  /** Storage of the template's disks (the clone's disks land on the same storage); null = unknown. */
  storage: string | null;
};

type PlacementNeed = {
  /** Every copy of the template (one on shared storage, or one per node on local storage, or both). */
  sources: readonly TemplateSource[];
  memoryBytes: number;
  diskBytes: number;
};

type Placement =
  | { ok: true; node: string; source: TemplateSource }
  | { ok: false; reason: 'offline'; node: string }
  | { ok: false; reason: 'memory'; node: string; freeBytes: number }
  | { ok: false; reason: 'disk'; node: string; freeBytes: number; storage: string | null };

/**
 * VMs placed but not yet visible in the capacity numbers: `/cluster/resources` shows a node's
 * memory only once its VMs run (and lags ~10 s more), and a clone's disk only once it is written.
 */
export type InFlight = { node: string; storage: string | null; memoryBytes: number; diskBytes: number };

function isShared(nodes: readonly NodeCapacity[], source: TemplateSource): boolean {
  const host = nodes.find((n) => n.node === source.node);
  return source.storage !== null && host?.storages.some((s) => s.storage === source.storage && s.shared) === true;
}

/**
 * The template copy a VM on `node` is cloned from: the copy on that node itself (the clone then
 * never crosses nodes), else a copy on shared storage the node has (PVE moves the finished clone
 * there), else none — PVE refuses to clone a VM on local storage to another node.
 */
function sourceFor(nodes: readonly NodeCapacity[], node: NodeCapacity, sources: readonly TemplateSource[]): TemplateSource | undefined {
  const own = sources.find((s) => s.node === node.node);
  if (own) return own;
  return sources.find((s) => isShared(nodes, s) && node.storages.some((st) => st.storage === s.storage && st.available));
}

/**
 * Picks the node for a new VM from live capacity. A node is a candidate when it is online and a
 * template copy can be cloned to it (`sourceFor`): every node sharing a template's storage, and
 * every node holding its own copy on local storage. Capacity is what PVE reports minus the VMs
 * placed but not visible yet (`inFlight`). Among nodes with room it takes the one with the fewest
 * VMs in flight, then the most free memory, then the name — so a burst of requests spreads
 * round-robin over equal nodes and never piles onto the node a lagging snapshot shows as
 * emptiest (with a template per node this also spreads the copying: each node clones its own).
 * Pure; when none fits it says why, about the best candidate.
 */
export function chooseNode(nodes: readonly NodeCapacity[], need: PlacementNeed, inFlight: readonly InFlight[] = []): Placement {
  const candidates = nodes
    .filter((n) => n.online)
    .flatMap((n) => {
      const source = sourceFor(nodes, n, need.sources);
      return source ? [{ n, source, shared: isShared(nodes, source) }] : [];
    });
  if (candidates.length === 0) return { ok: false, reason: 'offline', node: need.sources[0]?.node ?? '?' };
  type Candidate = (typeof candidates)[number];
  const onNode = (c: Candidate) => inFlight.filter((f) => f.node === c.n.node);
  const sum = (xs: readonly InFlight[], f: (x: InFlight) => number) => xs.reduce((a, x) => a + f(x), 0);
  const freeMemory = (c: Candidate) => (c.n.memFreeBytes ?? Number.MAX_SAFE_INTEGER) - sum(onNode(c), (f) => f.memoryBytes);
  const freeDisk = (c: Candidate) => {
    const storage = c.source.storage;
    const reported = c.n.storages.find((s) => s.storage === storage)?.freeBytes ?? Number.MAX_SAFE_INTEGER;
    const pending = inFlight.filter((f) => f.storage === storage && (c.shared || f.node === c.n.node));
    return reported - sum(pending, (f) => f.diskBytes);
  };
  const ranked = [...candidates].sort(
    (a, b) => onNode(a).length - onNode(b).length || freeMemory(b) - freeMemory(a) || a.n.node.localeCompare(b.n.node),
  );
  const fit = ranked.find((c) => freeMemory(c) >= need.memoryBytes && freeDisk(c) >= need.diskBytes);
  if (fit) return { ok: true, node: fit.n.node, source: fit.source };
  const best = [...candidates].sort((a, b) => freeMemory(b) - freeMemory(a) || a.n.node.localeCompare(b.n.node))[0]!;
  return freeMemory(best) < need.memoryBytes
    ? { ok: false, reason: 'memory', node: best.n.node, freeBytes: Math.max(0, freeMemory(best)) }
    : { ok: false, reason: 'disk', node: best.n.node, freeBytes: Math.max(0, freeDisk(best)), storage: best.source.storage };
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
