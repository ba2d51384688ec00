import {
  heldRestoreTestVmids,
  institutionsWithAgreementInForce,
  listLiveVms,
  listRunsPastDeadline,
  listRunsQueuedSince,
  resolveFindingsNotSeen,
  tryLockForTransaction,
  upsertFinding,
  type FindingKind,
} from '@betang/db';
import { listActiveTasks, listClusterVms, lockHolderAmong, type ClusterVm, type PveClient } from '@betang/proxmox';
import type { WorkerDeps } from '../deps';
import { requirePve } from '../provisioning/provision-context';
import { settingsOf } from '../settings';
import { computeFindings } from './compute-findings';

const RECONCILE_LEADER_LOCK = 'betang:reconcile-leader';
const KINDS: FindingKind[] = ['orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'abandoned_lock', 'marker_removed'];

/**
 * Vmids of Betang's VMs (tagged or in its range) whose config lock no running task on their node
 * holds. The cluster list is read again after the task lists: a task clears its lock before it
 * ends, so a VM still locked then was left locked by a worker that died. Read-only.
 */
export async function findAbandonedLocks(
  pve: PveClient,
  clusterVms: ClusterVm[],
  range: { min: number; max: number },
): Promise<Set<number>> {
  const candidates = clusterVms.filter(
    (v) => v.lock && !v.template && (v.tags.includes('betang') || (v.vmid >= range.min && v.vmid <= range.max)),
  );
  if (candidates.length === 0) return new Set();
  const nodes = [...new Set(candidates.map((v) => v.node))];
  const tasks = new Map(await Promise.all(nodes.map(async (node) => [node, await listActiveTasks(pve, node)] as const)));
  const unheld = candidates.filter((v) => !lockHolderAmong(tasks.get(v.node) ?? [], v.vmid, v.lock!));
  if (unheld.length === 0) return new Set();
  const now = new Map((await listClusterVms(pve)).map((v) => [v.vmid, v]));
  return new Set(unheld.filter((v) => now.get(v.vmid)?.lock === v.lock).map((v) => v.vmid));
}

type ReconcileOutcome = { leader: false } | { leader: true; findings: number; resolved: number };

/**
 * One reconciliation round. Only one worker at a time does it (transaction-scoped try-lock held
 * for the round; the others return `leader: false`). Read-only towards Proxmox; writes findings
 * only — nothing is destroyed or changed on the cluster without an operator's decision.
 */
export async function reconcileCluster(deps: WorkerDeps): Promise<ReconcileOutcome> {
  const pve = requirePve(deps);
  const s = settingsOf(deps);
  return deps.db.transaction().execute(async (tx) => {
    if (!(await tryLockForTransaction(tx, RECONCILE_LEADER_LOCK))) return { leader: false } as const;
    const now = new Date();
    const queuedTooLong = await listRunsQueuedSince(tx, new Date(now.getTime() - s.RUN_DEADLINE_MINUTES * 60_000));
    const [clusterVms, liveVms, pastDeadline, inForce] = await Promise.all([
      listClusterVms(pve),
      listLiveVms(tx),
      listRunsPastDeadline(tx, now),
      institutionsWithAgreementInForce(tx),
    ]);
    const stuck = [...pastDeadline, ...queuedTooLong.filter((q) => !pastDeadline.some((p) => p.id === q.id))];
    const vmidRange = { min: s.PVE_VMID_MIN, max: s.PVE_VMID_MAX };
    const abandonedLocks = await findAbandonedLocks(pve, clusterVms, vmidRange);
    const testRestoreVmids = await heldRestoreTestVmids(tx, now);
    const findings = computeFindings({
      clusterVms,
      liveVms,
      stuckRuns: stuck,
      institutionsInForce: inForce,
      vmidRange,
      abandonedLocks,
      testRestoreVmids,
    });
    for (const f of findings) await upsertFinding(tx, f);
    const resolved = await resolveFindingsNotSeen(
      tx,
      KINDS,
      findings.map((f) => f.fingerprint),
    );
    deps.logger.info({ findings: findings.length, resolved }, 'rekonsiliasi selesai / reconciliation done');
    return { leader: true, findings: findings.length, resolved } as const;
  });
}
