import type { Executor, Tx } from '../database';

/** One storage as a node sees it; `content` is PVE's content types (absent in snapshots taken before it was recorded). */
type StorageSnapshot = {
  storage: string;
  shared: boolean;
  available: boolean;
  content?: string[];
  totalBytes?: number;
  usedBytes?: number;
};

type ClusterNodeSnapshot = {
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
    await tx
      .insertInto('clusterNodes')
      .values(values)
      .onConflict((oc) => oc.column('node').doUpdateSet(values))
      .execute();
  }
  let del = tx.deleteFrom('clusterNodes');
  if (nodes.length > 0)
    del = del.where(
      'node',
      'not in',
      nodes.map((n) => n.node),
    );
  await del.execute();
}

/** The last snapshot, nodes by name. */
export async function listClusterNodes(db: Executor): Promise<ClusterNodeSnapshot[]> {
  const rows = await db.selectFrom('clusterNodes').selectAll().orderBy('node').execute();
  return rows.map((r) => ({ ...r, storages: r.storages as StorageSnapshot[] }));
}

/** A self-check line as stored (the worker's doctor findings). */
type SetupFindingRow = {
  check: string;
  level: 'ok' | 'warn' | 'error';
  subject: string;
  message: { id: string; en: string };
  fix?: string;
};
export type ClusterSelfCheck = { checkedAt: Date; pveVersion: string | null; problems: number; findings: SetupFindingRow[] };

/** Replaces the one self-check row with the latest result. Idempotent. */
export async function saveClusterSelfCheck(db: Executor, check: ClusterSelfCheck): Promise<void> {
  const values = {
    id: 1,
    checkedAt: check.checkedAt,
    pveVersion: check.pveVersion,
    problems: check.problems,
    findings: JSON.stringify(check.findings),
  };
  await db
    .insertInto('clusterSelfCheck')
    .values(values)
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/** The latest self-check, if the worker made one. */
export async function getClusterSelfCheck(db: Executor): Promise<ClusterSelfCheck | undefined> {
  const row = await db
    .selectFrom('clusterSelfCheck')
    .select(['checkedAt', 'pveVersion', 'problems', 'findings'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return row ? { ...row, findings: row.findings as SetupFindingRow[] } : undefined;
}
