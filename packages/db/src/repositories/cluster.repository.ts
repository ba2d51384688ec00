import type { Executor, Tx } from '../database';

export type StorageSnapshot = { storage: string; shared: boolean; available: boolean; totalBytes?: number; usedBytes?: number };

export type ClusterNodeSnapshot = {
  node: string;
  online: boolean;
  statsVisible: boolean;
  cpuUsage: number | null;
  cpuCount: number | null;
  memTotalBytes: number | null;
  memUsedBytes: number | null;
  storages: StorageSnapshot[];
  observedAt: Date;
};

/**
 * Replaces the cluster snapshot with what the worker just observed: upserts every node seen and
 * deletes nodes no longer in the cluster. Idempotent: the same observation writes the same rows.
 */
export async function replaceClusterSnapshot(tx: Tx, nodes: readonly ClusterNodeSnapshot[]): Promise<void> {
  for (const n of nodes) {
    const values = { ...n, storages: JSON.stringify(n.storages) };
    await tx.insertInto('clusterNodes').values(values).onConflict((oc) => oc.column('node').doUpdateSet(values)).execute();
  }
  let del = tx.deleteFrom('clusterNodes');
  if (nodes.length > 0) del = del.where('node', 'not in', nodes.map((n) => n.node));
  await del.execute();
}

/** The last snapshot, nodes by name. */
export async function listClusterNodes(db: Executor): Promise<ClusterNodeSnapshot[]> {
  const rows = await db.selectFrom('clusterNodes').selectAll().orderBy('node').execute();
  return rows.map((r) => ({ ...r, storages: r.storages as StorageSnapshot[] }));
}
