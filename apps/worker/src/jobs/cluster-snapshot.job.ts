import { replaceClusterSnapshot } from '@betang/db';
import { nodeCapacity } from '@betang/proxmox';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';

/**
 * `cluster.snapshot`: records every node's status and capacity (from /cluster/resources) for the
 * API's cluster page. Safe to run twice or concurrently: read-only towards Proxmox, and the
 * snapshot is replaced as a whole in one transaction.
 */
export function clusterSnapshotJob(deps: WorkerDeps): JobHandler<'cluster.snapshot'> {
  return async () => {
    if (!deps.pve) return { skipped: 'no PVE configured' };
    const nodes = await nodeCapacity(deps.pve);
    const observedAt = new Date();
    await deps.db.transaction().execute((tx) =>
      replaceClusterSnapshot(
        tx,
        nodes.map((n) => ({
          node: n.node,
          online: n.online,
          statsVisible: n.statsVisible,
          cpuUsage: n.cpuUsage ?? null,
          cpuCount: n.cpuCount ?? null,
          memTotalBytes: n.memTotalBytes ?? null,
          memUsedBytes: n.memUsedBytes ?? null,
          storages: n.storages.map((s) => ({
            storage: s.storage,
            shared: s.shared,
            available: s.available,
            content: s.content,
            totalBytes: s.totalBytes,
            usedBytes: s.usedBytes,
          })),
          observedAt,
        })),
      ),
    );
    return { nodes: nodes.length };
  };
}
