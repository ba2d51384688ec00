import {
  institutionsWithAgreementInForce,
  listLiveVms,
  listRunsPastDeadline,
  resolveFindingsNotSeen,
  tryLockForTransaction,
  upsertFinding,
  type FindingKind,
} from '@betang/db';
import { listClusterVms } from '@betang/proxmox';
import type { WorkerDeps } from '../deps';
import { requirePve } from '../provisioning/provision-context';
import { settingsOf } from '../provisioning/settings';
import { computeFindings } from './compute-findings';

export const RECONCILE_LEADER_LOCK = 'betang:reconcile-leader';
const KINDS: FindingKind[] = ['orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement'];

export type ReconcileOutcome = { leader: false } | { leader: true; findings: number; resolved: number };

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
    const queuedTooLong = await tx
      .selectFrom('provisioningRuns')
      .selectAll()
      .where('status', '=', 'queued')
      .where('createdAt', '<', new Date(now.getTime() - s.RUN_DEADLINE_MINUTES * 60_000))
      .execute();
    const [clusterVms, liveVms, pastDeadline, inForce] = await Promise.all([
      listClusterVms(pve),
      listLiveVms(tx),
      listRunsPastDeadline(tx, now),
      institutionsWithAgreementInForce(tx),
    ]);
    const stuck = [...pastDeadline, ...queuedTooLong.filter((q) => !pastDeadline.some((p) => p.id === q.id))];
    const findings = computeFindings({ clusterVms, liveVms, stuckRuns: stuck, institutionsInForce: inForce, vmidRange: { min: s.PVE_VMID_MIN, max: s.PVE_VMID_MAX } });
    for (const f of findings) await upsertFinding(tx, f);
    const resolved = await resolveFindingsNotSeen(tx, KINDS, findings.map((f) => f.fingerprint));
    deps.logger.info({ findings: findings.length, resolved }, 'rekonsiliasi selesai / reconciliation done');
    return { leader: true, findings: findings.length, resolved } as const;
  });
}
